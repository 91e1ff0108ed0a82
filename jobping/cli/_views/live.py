"""What every live display shares: log lines printed above it, and a busy line for long work.

A rich live display redraws the bottom of the terminal; a log line written straight to
stderr meanwhile is drawn over (the SIGINT warning was cut to "SIGINT:"). While a display is
up, :func:`logs_above` points JobPing's log handlers at the display's stderr proxy, so each
line is printed above the display, whole. :func:`busy` is the display of work that has no
count to show: a spinner, what is being done and the time it has taken, on a terminal's
stderr only; elsewhere one log line says what started.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

__all__ = ["busy", "logs_above"]

logger = logging.getLogger("jobping")


@contextmanager
def logs_above() -> Iterator[None]:
    """Inside a started live display: JobPing's log lines go through its stderr proxy."""
    handlers = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
    previous = [handler.setStream(sys.stderr) for handler in handlers]
    try:
        yield
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            if stream is not None:
                handler.setStream(stream)


@contextmanager
def busy(console: Console, what: str) -> Iterator[None]:
    """A spinner with ``what`` and the elapsed time on a terminal; a log line otherwise."""
    if not console.is_terminal:
        logger.info("%s ...", what)
        yield
        return
    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    display.add_task(what, total=None)
    with display, logs_above():
        yield
