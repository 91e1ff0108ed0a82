"""Where parse workers come from: a forkserver that imports jobping once, started early.

A parse worker is forked from the forkserver, which imports the parse pool's module (and
so jobping) once, about half a second of CPU. ``jobping run`` starts it first thing
(:func:`start_early`), so that import runs on another core while the run's own process
imports and opens its store: the workers are ready when the run needs them. This module
imports nothing of jobping, so starting early costs the run's process nothing.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
from typing import Literal

__all__ = ["cores", "may_use_workers", "running", "start_early", "worker_context"]

logger = logging.getLogger("jobping.orchestrator")

PRELOAD = "jobping.orchestrator._parse_pool"
"""The module every worker runs (its functions are what the pool submits)."""


def cores() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def may_use_workers(setting: int | Literal["auto"]) -> bool:
    """Whether a run with this ``RUN_PARSE_WORKERS`` could start parse workers."""
    return cores() >= 2 if setting == "auto" else setting >= 2


def worker_context() -> multiprocessing.context.BaseContext:
    """forkserver (preloading :data:`PRELOAD`) where there is one, else spawn.

    Never plain fork: the run forks its workers under a running event loop, with threads.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


def start_early(setting: int | Literal["auto"]) -> bool:
    """Start the forkserver now if a run with ``setting`` may need workers; whether it did.

    It imports jobping in its own process while this one goes on; a run that ends up
    with no workers (too few targets for ``auto``) leaves it idle until this process exits.
    A forkserver that cannot start (no room for its socket, no processes left) is not an
    error here: the run's parse pool tries again, and parses in-process if it fails too.
    """
    if not may_use_workers(setting):
        return False
    context = worker_context()
    if not isinstance(context, multiprocessing.context.ForkServerContext):
        return False
    try:
        multiprocessing.forkserver.ensure_running()
    except OSError as exc:
        logger.debug("the parse workers' forkserver did not start early: %s", exc)
        return False
    return True


def running() -> bool:
    """Whether this process has its forkserver already (started early, or by a pool before).

    Workers then fork from it in milliseconds. Read from the stdlib's one forkserver per
    process, which keeps its pid once started; a Python without that attribute reads False
    (workers then start as if for the first time).
    """
    server = vars(multiprocessing.forkserver).get("_forkserver")
    return server is not None and vars(server).get("_forkserver_pid") is not None
