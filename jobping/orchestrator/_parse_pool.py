"""Parsing on every core: scrapers run in worker processes, their requests in the run's.

A scraper's ``iter_jobs`` interleaves requests and parsing (the next page's cursor is in
the page just parsed), so the seam is the scraper's client, not a page. In a parse worker
the scraper runs unchanged, on the worker's own event loop, with a context whose client
hands every request back: a step of the session ends when the scraper awaits a request.
The run's process sends that request through its own client (quotas, breakers, retries and
the stop flags stay in one place), then resumes the session with the answer, or with the
error thrown in where the scraper awaited. The worker checks each job as the sink would
(``Admission``), so the run's process only counts, deduplicates and stores. A session lives
in one worker (a pool of one process each), so the scraper keeps its state between steps.

A scraper that cannot be re-created in a worker (its class is not importable there, its
state does not pickle) runs in the run's process, as every scraper does with
``RUN_PARSE_WORKERS`` 0 or 1; that is logged once per scraper.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

import anyio.abc
import anyio.to_thread

from jobping.http._payload import JsonBody
from jobping.orchestrator._forkserver import cores, worker_context
from jobping.orchestrator._forkserver import running as forkserver_running
from jobping.orchestrator._shutdown import StoppableClient
from jobping.orchestrator._sink import Admission
from jobping.orchestrator._timings import ProcessUsage, RunTimings
from jobping.scraping import ScrapeContext, Scraper, SkippedItem, Target

__all__ = ["InProcess", "PageParser", "ParsePool", "parse_workers"]

logger = logging.getLogger("jobping.orchestrator")

_STOP_SECONDS = 5.0
"""How long the pool's stop waits for a worker to finish its step before killing it."""
WARM_UP = True
"""Whether a target parses in the run's process while the workers start (see ``ParsePool``);
tests that need every target in a worker turn it off."""
_AUTO_MIN_TARGETS = 16
"""Targets a run needs before ``auto`` starts workers (starting one costs ~0.3 s of CPU)."""


def parse_workers(setting: int | Literal["auto"], targets: int) -> int:
    """Worker processes for a run of ``targets`` targets: 0 means parse in this process."""
    if setting == "auto":
        setting = cores() if targets >= _AUTO_MIN_TARGETS else 0
    return setting if setting >= 2 else 0  # one worker: one core, as without


class PageParser(Protocol):
    """Runs one target of a scraper: ``scrape`` is a drop-in for ``Scraper.scrape``."""

    timings: RunTimings
    """Where the parse time (and the fetch time of the targets it runs) adds up."""

    def scrape(
        self, scraper: Scraper, ctx: ScrapeContext, target: Target, client: StoppableClient
    ) -> AsyncGenerator[object, None]:
        """Yield what the scraper yields for ``target``; ``ctx`` fetches through ``client``."""
        ...


class InProcess:
    """Parsing in the run's process, timed: the time between two jobs minus the fetches."""

    def __init__(self, timings: RunTimings) -> None:
        self.timings = timings

    async def scrape(
        self, scraper: Scraper, ctx: ScrapeContext, target: Target, client: StoppableClient
    ) -> AsyncGenerator[object, None]:
        """``scraper.scrape``, adding its own time (not the requests') to ``parse``."""
        jobs = scraper.scrape(ctx, target)
        try:
            while True:
                started, waited = time.perf_counter(), client.waited
                try:
                    item = await jobs.__anext__()
                except StopAsyncIteration:
                    return
                finally:
                    busy = time.perf_counter() - started - (client.waited - waited)
                    self.timings.parse += busy
                yield item
        finally:
            await jobs.aclose()


class ParsePool:
    """``workers`` parse processes (started on entry, stopped on exit) running scrapers.

    Use it as ``async with ParsePool(n, timings) as pool`` around the run's work; it needs
    the asyncio event loop (``anyio`` on asyncio). The workers start in the background
    (about half a second: a process importing jobping): meanwhile one target at a time
    parses in the run's process, the others wait for the workers. Once the forkserver runs
    (``jobping run`` starts it early; an earlier pool of this process started it), every
    target waits for the workers: they start in a few milliseconds, and the run's process is
    the one that must keep up with them.
    """

    def __init__(
        self,
        workers: int,
        timings: RunTimings,
        admission: Admission,
        now: Callable[[], datetime],
    ) -> None:
        if workers < 1:
            raise ValueError(f"a parse pool needs at least one worker, not {workers}")
        self._size = workers
        self.timings = timings
        self._admission = admission
        self._now = now
        self._in_process = InProcess(timings)
        self._workers: list[ProcessPoolExecutor] = []
        self._busy = [0] * workers
        self._sessions = itertools.count(1)
        self._local: set[str] = set()
        """Scrapers that run in this process: they could not be re-created in a worker."""
        self._dead: set[int] = set()
        """Workers that died (a plugin crashed the process): no new session goes there."""
        self._ready = anyio.Event()
        """Set once the workers run (or failed to start: every target then parses here)."""
        self._warming = False
        """Whether a target parses in this process while the workers start."""
        self._starting: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> ParsePool:
        """Start the workers in the background (in a thread: starting a process blocks)."""
        self._starting = anyio.create_task_group()
        await self._starting.__aenter__()
        self._starting.start_soon(self._start_workers)
        self.timings.parse_workers = self._size
        return self

    async def _start_workers(self) -> None:
        try:
            self._workers = await anyio.to_thread.run_sync(self._start)
        except Exception:
            logger.exception("the parse workers did not start: parsing in-process")
            self._dead = set(range(self._size))
        finally:
            self._ready.set()

    def _start(self) -> list[ProcessPoolExecutor]:
        context = worker_context()
        workers = [
            ProcessPoolExecutor(1, mp_context=context, initializer=_init_worker)
            for _ in range(self._size)
        ]
        for started in [worker.submit(os.getpid) for worker in workers]:
            started.result()
        return workers

    async def __aexit__(self, *exc: Any) -> bool | None:
        """Stop the workers (once started): one still busy after ``_STOP_SECONDS`` is killed."""
        assert self._starting is not None  # noqa: S101 - set on entry
        try:
            with anyio.CancelScope(shield=True):
                await self._ready.wait()  # a start under way ends first (it cannot be cancelled)
                await anyio.to_thread.run_sync(self._stop)
        finally:
            suppressed = await self._starting.__aexit__(*exc)
        return suppressed

    def _stop(self) -> None:
        # The executor's own list: processes only it started, never another by a reused pid.
        processes = [p for w in self._workers for p in (w._processes or {}).values()]
        for worker in self._workers:
            worker.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + _STOP_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                logger.warning("parse worker %s still busy at the stop: killed", process.pid)
                process.kill()
                process.join()

    async def scrape(
        self, scraper: Scraper, ctx: ScrapeContext, target: Target, client: StoppableClient
    ) -> AsyncGenerator[object, None]:
        """Run ``scraper`` on ``target`` in a worker; in this process if it cannot go there.

        Before the workers run, one target at a time parses here rather than wait for them.
        """
        warm = WARM_UP and not (self._ready.is_set() or self._warming or forkserver_running())
        if warm:
            self._warming = True
        else:
            await self._ready.wait()
        alive = not warm and len(self._dead) < self._size
        blob = self._portable(scraper, ctx) if alive and scraper.name not in self._local else None
        if blob is None:
            jobs = self._in_process.scrape(scraper, ctx, target, client)
        else:
            jobs = self._remote(scraper, blob, ctx, target, client)
        try:
            async for item in jobs:
                yield item
        finally:
            await jobs.aclose()
            if warm:
                self._warming = False

    def _portable(self, scraper: Scraper, ctx: ScrapeContext) -> bytes | None:
        """The scraper and its worker-side context, pickled; None if they do not pickle."""
        try:
            return pickle.dumps((scraper, ctx.on_client(_Forward())))
        except Exception as exc:  # noqa: BLE001 - pickling a plugin's state may raise anything
            self._run_here(scraper.name, f"{type(exc).__name__}: {exc}")
            return None

    def _run_here(self, name: str, why: str) -> None:
        if name not in self._local:
            self._local.add(name)
            logger.warning("%s: cannot run in a parse worker (%s); parsing in-process", name, why)

    async def _remote(
        self,
        scraper: Scraper,
        blob: bytes,
        ctx: ScrapeContext,
        target: Target,
        client: StoppableClient,
    ) -> AsyncGenerator[object, None]:
        alive = [index for index in range(self._size) if index not in self._dead]
        index = min(alive, key=self._busy.__getitem__)
        worker, session = self._workers[index], next(self._sessions)
        self._busy[index] += 1
        ended = False
        try:
            start = (session, blob, target.text, self._admission, self._now())
            step = await self._call(index, _start, *start)
            if step.unportable is not None:
                ended = True
                self._run_here(scraper.name, step.unportable)
                async for item in self._in_process.scrape(scraper, ctx, target, client):
                    yield item
                return
            thrown: Exception | None = None
            while True:
                ended = step.request is None or step.error is not None
                ctx.skipped.extend(step.skipped)
                ctx.page_cap_reached |= step.page_cap_reached
                ctx.replaced_bytes += step.replaced_bytes
                for item in step.items:
                    yield item
                if step.error is not None:  # the very error thrown in, else the worker's
                    raise thrown if step.rethrown and thrown else step.error.rebuild()
                if step.request is None:
                    return
                value, thrown = await _fetch(ctx, step.request)
                answer = _Answer(value, None if thrown is None else _Portable.of(thrown))
                step = await self._call(index, _resume, session, answer, self._now())
        finally:
            self._busy[index] -= 1
            if not ended:
                _close_later(worker, session)

    async def _call(self, index: int, fn: Callable[..., _Step], *args: object) -> _Step:
        """One step in worker ``index``; a worker found dead takes no more sessions."""
        try:
            step = await asyncio.wrap_future(self._workers[index].submit(fn, *args))
        except BrokenProcessPool:
            if index not in self._dead:
                self._dead.add(index)
                logger.error("a parse worker died; its targets from now on go elsewhere")
            raise
        self.timings.parse += step.seconds
        if step.usage is not None:
            self.timings.workers[step.pid] = step.usage
        return step


async def _fetch(ctx: ScrapeContext, request: _Request) -> tuple[Any, Exception | None]:
    """Send a worker's request through ``ctx``: its answer, or the error it raised.

    Through the context's own methods, as in-process: each counts the request, and the
    first one of a revalidated target is the conditional one (``TargetUnchanged`` goes back
    into the scraper like any error, and out of it to the runner). A JSON GET's body goes
    back undecoded (a ``JsonBody``; HTML is refused here, with ``get_json``'s error): the
    worker decodes it, and this process neither decodes nor pickles the decoded page.
    """
    try:
        if request.method == "get_json":
            value = await ctx.get_json_body(
                request.url, params=request.params, headers=request.headers
            )
        elif request.method == "post_json":
            value = await ctx.post_json(
                request.url, request.json, params=request.params, headers=request.headers
            )
        else:
            value = await ctx.get_text(request.url, params=request.params, headers=request.headers)
    except Exception as exc:  # noqa: BLE001 - thrown into the scraper, as it would be in-process
        return None, exc
    return value, None


def _close_later(worker: ProcessPoolExecutor, session: int) -> None:
    """Drop an unfinished session (a stop, a cancellation) without waiting for the worker."""
    with contextlib.suppress(RuntimeError):  # a pool shut down took the session with it
        worker.submit(_close, session)


# -- what crosses the process boundary --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Request:
    """A request a scraper awaits in a worker, for the main process to send."""

    method: Literal["get_json", "post_json", "get_text"]
    url: str
    params: Mapping[str, str | int] | None
    headers: Mapping[str, str] | None
    json: Any = None


@dataclass(frozen=True, slots=True)
class _Portable:
    """An exception as its class, args and attributes.

    Errors with keyword-only constructors (most of ``jobping.errors``) do not survive a
    plain pickle.
    """

    cls: type[BaseException]
    args: tuple[Any, ...]
    state: dict[str, Any]

    @classmethod
    def of(cls, exc: BaseException) -> _Portable:
        portable = cls(type(exc), exc.args, dict(getattr(exc, "__dict__", {})))
        try:
            pickle.dumps(portable)
        except Exception:  # noqa: BLE001 - a plugin's exception may hold anything
            text = f"{type(exc).__name__}: {exc}"
            return cls(RuntimeError, (text,), {})
        return portable

    def rebuild(self) -> BaseException:
        exc = self.cls.__new__(self.cls)
        exc.args = self.args
        if self.state:
            exc.__dict__.update(self.state)
        return exc


@dataclass(frozen=True, slots=True)
class _Answer:
    """The main process's answer to a request: its value, or the error to throw in."""

    value: Any
    error: _Portable | None


@dataclass(slots=True)
class _Step:
    """What one step of a session did: the items yielded and how it ended."""

    items: list[object]
    skipped: list[SkippedItem]
    page_cap_reached: bool
    request: _Request | None
    """The request the scraper awaits next (None: it ended)."""
    replaced_bytes: int = 0
    """Invalid UTF-8 bytes replaced in the pages this step decoded."""
    error: _Portable | None = None
    """The error it ended with."""
    rethrown: bool = False
    """Whether that error is the one the main process threw in (it raises its original)."""
    unportable: str | None = None
    """Why the scraper could not be re-created in the worker."""
    seconds: float = 0.0
    pid: int = 0
    usage: ProcessUsage | None = None


# -- the worker side ----------------------------------------------------------------------


class _Forward:
    """The client of a scraper in a worker: every request is handed to the main process.

    A request parks the scraper on a future of the worker's event loop; the step that runs
    the loop ends there, and the next step resolves the future with the main process's
    answer (or its error).
    """

    def __init__(self) -> None:
        self.asked: tuple[_Request, asyncio.Future[Any]] | None = None
        self.waiting: asyncio.Event | None = None
        """Set while the scraper waits for an answer (made in the worker)."""
        self.replaced_bytes = 0
        """Invalid UTF-8 bytes replaced in the pages decoded since the last step."""

    def _replaced(self, count: int) -> None:
        self.replaced_bytes += count

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Hand the GET to the main process; its JSON comes back, decoded here if it is not."""
        value = await self._ask(_Request("get_json", url, params, headers))
        return value.decode(self._replaced) if isinstance(value, JsonBody) else value

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Hand the POST to the main process; its decoded JSON comes back."""
        return await self._ask(_Request("post_json", url, params, headers, json))

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Hand the text GET to the main process; its text comes back."""
        text: str = await self._ask(_Request("get_text", url, params, headers))
        return text

    async def _ask(self, request: _Request) -> Any:
        if self.asked is not None:
            raise RuntimeError("a scraper in a parse worker sends one request at a time")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.asked = (request, future)
        if self.waiting is not None:
            self.waiting.set()
        try:
            return await future
        finally:
            self.asked = None


@dataclass(slots=True)
class _Session:
    """One target of one scraper running in this worker."""

    client: _Forward
    ctx: ScrapeContext
    admission: Admission
    now: datetime
    items: list[object]
    task: asyncio.Task[None] | None = None


_SESSIONS: dict[int, _Session] = {}
_LOOP: list[asyncio.AbstractEventLoop] = []
"""The worker's event loop (made by the first session), kept for all its sessions."""


def _loop() -> asyncio.AbstractEventLoop:
    if not _LOOP:
        _LOOP.append(asyncio.new_event_loop())
    return _LOOP[0]


def _init_worker() -> None:
    """Leave signals to the main process (it stops the pool) and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()
    os._exit(0)


def _start(session: int, blob: bytes, target: str, admission: Admission, now: datetime) -> _Step:
    """Re-create the scraper and run it up to its first request (its items checked)."""
    try:
        scraper, ctx = pickle.loads(blob)  # noqa: S301 - our own main process pickled it
    except Exception as exc:  # noqa: BLE001 - a plugin's class may not import here
        return _Step([], [], False, None, unportable=f"{type(exc).__name__}: {exc}")
    ctx.client.waiting = asyncio.Event()
    state = _Session(ctx.client, ctx, admission, now, [])
    _SESSIONS[session] = state
    state.task = _loop().create_task(_pump(state, scraper.scrape(ctx, Target(target))))
    return _step(session, None)


def _resume(session: int, answer: _Answer, now: datetime) -> _Step:
    """Resume a session with the answer to its request (or its error thrown in)."""
    state = _SESSIONS[session]
    state.now = now
    if state.client.asked is None:
        raise RuntimeError(f"parse session {session} is not waiting for an answer")
    future = state.client.asked[1]
    if state.client.waiting is not None:
        state.client.waiting.clear()
    thrown = None if answer.error is None else answer.error.rebuild()
    if thrown is None:
        future.set_result(answer.value)
    else:
        future.set_exception(thrown)
    return _step(session, thrown)


def _close(session: int) -> None:
    """Forget a session the main process dropped, cancelling its scraper."""
    state = _SESSIONS.pop(session, None)
    if state is not None and state.task is not None and not state.task.done():
        state.task.cancel()
        _loop().run_until_complete(asyncio.wait([state.task]))


async def _pump(state: _Session, jobs: AsyncGenerator[object, None]) -> None:
    """Run the scraper, checking each item as the sink would (stamped with the step's now)."""
    try:
        async for item in jobs:
            state.items.append(state.admission.check(item, state.now))
    finally:
        await jobs.aclose()


def _step(session: int, thrown: BaseException | None) -> _Step:
    """Run the worker's loop until the session's scraper sends a request, ends or fails."""
    started = time.perf_counter()
    state = _SESSIONS[session]
    task = state.task
    assert task is not None  # noqa: S101 - set by _start
    _loop().run_until_complete(_until_asked(state, task))
    request = None if state.client.asked is None else state.client.asked[0]
    error = None
    if task.done():
        del _SESSIONS[session]
        request = None
        error = task.exception()
    items, state.items = state.items, []
    skipped, state.ctx.skipped = state.ctx.skipped, []
    replaced, state.client.replaced_bytes = state.client.replaced_bytes, 0
    return _Step(
        items,
        skipped,
        state.ctx.page_cap_reached,
        request,
        replaced,
        error=None if error is None else _Portable.of(error),
        rethrown=error is not None and error is thrown,
        seconds=time.perf_counter() - started,
        pid=os.getpid(),
        usage=ProcessUsage.of_this_process(),
    )


async def _until_asked(state: _Session, task: asyncio.Task[None]) -> None:
    """Return once the scraper waits for an answer, or its task is done."""
    waiting = state.client.waiting
    assert waiting is not None  # noqa: S101 - set by _start
    asked = asyncio.ensure_future(waiting.wait())
    try:
        await asyncio.wait({task, asked}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        asked.cancel()
