"""Several OS processes released at once: the harness of the multi-process tests.

A worker is a Python program that prints ``ready``, waits for a line on stdin (so that all
the workers start their work together), does it and prints its result as one JSON line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

REPO = Path(__file__).parents[1]


async def run_workers(
    worker: Sequence[str],
    argvs: Iterable[Sequence[str]],
    *,
    env: Mapping[str, str] | None = None,
    seconds: float = 60,
) -> list[Any]:
    """Start ``python *worker *argv`` per argv, release them together, return their results.

    ``worker`` names the program (``["-c", SOURCE]`` or ``["-m", "tests.pkg.module"]``), run
    from the repository root with ``env`` (this process's environment if None). Each worker
    must answer and exit 0 within ``seconds`` in all; the processes left are killed.
    """
    processes: list[Process] = []
    try:
        with anyio.fail_after(seconds):
            for argv in argvs:
                command = [sys.executable, *worker, *argv]
                processes.append(await anyio.open_process(command, cwd=REPO, env=env, stderr=None))
            outputs = [BufferedByteReceiveStream(p.stdout) for p in processes if p.stdout]
            for output in outputs:
                assert await output.receive_until(b"\n", 100) == b"ready"
            for process in processes:
                assert process.stdin is not None
                await process.stdin.send(b"go\n")
            results = [json.loads(await out.receive_until(b"\n", 100_000)) for out in outputs]
            assert [await process.wait() for process in processes] == [0] * len(processes)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
            await process.aclose()
    return results
