"""Fault matrix: ScrapeClient against a local hostile server, one row per fault (#12).

Each fault runs on a fresh client and a fresh SQLite store (so no breaker or quota carries
over), with a daily quota on the domain so quota spending shows. A row says: the outcome
(``ok`` or the error class) against the expected one, the attempts that reached the
network, the requests the server received (redirect hops included), the quota units spent,
the breaker state after, the wall time and the peak RSS of this process during the fault
(Linux: reset through /proc/self/clear_refs).

    .venv/bin/python scripts/fault_matrix.py           # full: 200 MB bodies, a 1 GiB gzip bomb
    .venv/bin/python scripts/fault_matrix.py --quick   # seconds: small bodies, short waits (CI)
    .venv/bin/python scripts/fault_matrix.py --json    # one JSON object per fault

The server is ``tests/servers.py`` (raw asyncio streams, 127.0.0.1 only), run in-process:
its big bodies are streamed, so the RSS measured is the client's. Exits 1 when a fault's
outcome is not the expected one.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.servers

from jobping.errors import JobPingError
from jobping.http import DomainPolicy, RequestEvent, ScrapeClient
from jobping.scraping import Target, check_targets, find_scraper
from jobping.settings import load_settings
from jobping.store import open_store
from tests.servers import MALFORMED, HostileServer, closed_port, hostile_server

KEY = "MRKJSEARCHKEY0123456789abcdef"  # a fake key the /echo fault echoes back


Run = Callable[["Env", "Row"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Scale:
    """The sizes and timings of one mode."""

    cap: int
    big: int
    bomb: int
    timeout: float
    """Connect and read timeouts of the faults about them (the others get ``GENEROUS``)."""
    deadline: float
    """The request deadline of the faults about it."""
    max_wait: float
    """The retry cap: a ``Retry-After`` of 1 s is waited for, a longer one holds the domain."""


FULL = Scale(cap=50_000_000, big=200_000_000, bomb=1 << 30, timeout=2.0, deadline=10.0, max_wait=1)
QUICK = Scale(cap=1_000_000, big=4_000_000, bomb=64 << 20, timeout=0.2, deadline=0.5, max_wait=1)
GENEROUS = 30.0
"""Timeouts and deadline of the faults that are not about them: a busy machine is no fault."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: its name, the outcome expected, how to provoke it, the policy it needs."""

    name: str
    expected: str
    run: Run
    policy: dict[str, Any] = field(default_factory=dict)
    timed: bool = False
    """Whether it is about timeouts: the scale's short ones apply instead of ``GENEROUS``."""


@dataclass(slots=True)
class Row:
    """What one fault did."""

    fault: str
    expected: str
    outcome: str = "?"
    attempts: int = 0
    """Attempts of the call(s) that reached the network (the client's count)."""
    received: int = 0
    """HTTP requests the hostile server received (redirect hops included)."""
    quota: int = 0
    breaker: str = "closed"
    wall_seconds: float = 0.0
    peak_rss_mib: float = 0.0
    note: str = ""

    @property
    def passed(self) -> bool:
        """Whether the outcome is the expected one."""
        return self.outcome == self.expected


@dataclass(slots=True)
class Env:
    """What a fault runs with: the server, a fresh client, its events, the scale."""

    server: HostileServer
    client: ScrapeClient
    scale: Scale
    refused_port: int
    events: list[RequestEvent] = field(default_factory=list)


def get(template: str) -> Run:
    """A fault that is one ``get_json``: of a path on the hostile server, or of a URL.

    ``{scale}``, ``{port}`` (where nothing listens) and ``{date}`` (an HTTP date a second
    ahead) are filled in when the fault runs.
    """

    async def run(env: Env, row: Row) -> None:
        ahead = format_datetime(datetime.now(UTC) + timedelta(seconds=1), usegmt=True)
        text = template.format(scale=env.scale, port=env.refused_port, date=ahead)
        await env.client.get_json(text if "://" in text else env.server.url(text))

    return run


async def redirect_then_keep_alive(env: Env, row: Row) -> None:
    """A redirected GET, then a GET on the same connection: no stray body in between."""
    await env.client.get_json(env.server.url("/redirect/302?to=/json"))
    await env.client.get_json(env.server.url("/json"))
    if env.server.requests[MALFORMED]:
        row.note = f"{env.server.requests[MALFORMED]} stray request(s) seen by the server"
        raise RuntimeError(row.note)


async def echoed_key(env: Env, row: Row) -> None:
    """An HTML body echoing the bare key where the error's 120-character preview is cut."""
    pad = 120 - len("<html><body>seen ") - 8
    try:
        await env.client.get_json(env.server.url(f"/echo?pad={pad}&seen=1&api_key={KEY}"))
    except JobPingError as exc:
        if KEY[:4] in str(exc):
            row.note = "a prefix of the key is in the error"
            raise RuntimeError(row.note) from None
        raise


async def utf8(env: Env, row: Row) -> None:
    """A page with invalid UTF-8 bytes: kept, the bytes replaced and counted."""
    await env.client.get_json(env.server.url("/bad_utf8"))
    row.note = f"{sum(event.replaced_bytes for event in env.events)} bytes replaced"


async def hostile_target(env: Env, row: Row) -> None:
    """The board token ``..`` for greenhouse: refused before any request."""
    info = find_scraper("greenhouse", load_settings(env_file=None))
    assert info.scraper is not None  # noqa: S101 - a built-in
    check_targets(info.scraper, [Target("..")], key="--target")


async def connect_timeout(env: Env, row: Row) -> None:
    """A listener whose accept queue is full: the TCP handshake never completes."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())  # takes the one place in the queue
        await env.client.get_json(f"http://127.0.0.1:{listener.getsockname()[1]}/json")


async def half_open(env: Env, row: Row) -> None:
    """An open breaker past its cool-down lets 1 of 10 concurrent calls through."""
    with suppress(JobPingError):
        await env.client.get_json(env.server.url("/status/503"))
    await anyio.sleep(0.3)  # the cool-down below
    outcomes: list[str] = []

    async def one() -> None:
        try:
            await env.client.get_json(env.server.url("/json"))
            outcomes.append("ok")
        except JobPingError as exc:
            outcomes.append(type(exc).__name__)

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(one)
    row.note = f"{outcomes.count('ok')} of 10 let through"
    if outcomes.count("ok") != 1:
        raise RuntimeError(row.note)


FAULTS = [
    Fault("baseline JSON", "ok", get("/json")),
    Fault("5xx", "HTTPStatusError", get("/status/503")),
    Fault("429 Retry-After: 1", "HTTPStatusError", get("/status/429?retry_after=1")),
    Fault("429 Retry-After: HTTP date", "HTTPStatusError", get("/status/429?retry_after={date}")),
    Fault("429 Retry-After: 3600", "RateLimited", get("/status/429?retry_after=3600")),
    Fault("connection refused", "TransportError", get("http://127.0.0.1:{port}/json")),
    Fault("connect timeout", "RequestTimeout", connect_timeout, timed=True),
    Fault("read timeout (no answer)", "RequestTimeout", get("/hang"), timed=True),
    Fault("slow drip past the deadline", "RequestTimeout", get("/slow?interval=0.05"), timed=True),
    Fault("reset before the response", "TransportError", get("/reset")),
    Fault("reset mid-body", "TransportError", get("/reset_body")),
    Fault("truncated JSON", "PayloadError", get("/truncated")),
    Fault("HTML instead of JSON", "PayloadError", get("/html")),
    Fault("block page (captcha)", "Blocked", get("/captcha?status=403")),
    Fault("huge body, Content-Length", "ResponseTooLarge", get("/big?size={scale.big}")),
    Fault("huge body, chunked", "ResponseTooLarge", get("/big?size={scale.big}&chunked=1")),
    Fault("gzip bomb", "ResponseTooLarge", get("/bomb?size={scale.bomb}")),
    Fault("redirect loop", "TooManyRedirects", get("/redirect/302")),
    Fault("redirected GET, keep-alive", "ok", redirect_then_keep_alive),
    Fault("JSON nested 200k deep", "PayloadError", get("/deep?depth=200000")),
    Fault("invalid UTF-8 byte", "ok", utf8),
    Fault("key echoed at the preview cut", "PayloadError", echoed_key, {"retry_attempts": 1}),
    Fault("hostile target '..'", "ConfigError", hostile_target),
    Fault(
        "half-open, 10 concurrent",
        "ok",
        half_open,
        {"breaker_failure_threshold": 1, "breaker_cooldown_seconds": 0.25, "retry_attempts": 1},
    ),
]


def policy(scale: Scale, fault: Fault) -> DomainPolicy:
    """The matrix's domain policy: a quota to count, quick backoff, the scale's limits."""
    values: dict[str, Any] = {
        "daily_quota": 1_000_000,
        "retry_attempts": 4,
        "retry_backoff_seconds": 0.02,
        "retry_max_wait_seconds": scale.max_wait,
        "request_deadline_seconds": scale.deadline if fault.timed else GENEROUS,
        "max_response_bytes": scale.cap,
    }
    return DomainPolicy(**(values | fault.policy))


@asynccontextmanager
async def fresh_client(
    folder: Path, number: int, scale: Scale, events: list[RequestEvent]
) -> AsyncIterator[ScrapeClient]:
    """A client for fault ``number`` on a store of its own, recording its events."""
    fault = FAULTS[number]
    timeout = scale.timeout if fault.timed else GENEROUS
    store = await open_store(f"sqlite:///{folder / f'fault-{number}.db'}")
    try:
        client = ScrapeClient(
            store=store,
            policy=policy(scale, fault),
            connect_timeout_seconds=timeout,
            read_timeout_seconds=timeout,
            hooks=[events.append],
        )
        async with client:
            yield client
    finally:
        await store.close()


async def run_fault(
    server: HostileServer, folder: Path, number: int, scale: Scale, refused_port: int
) -> Row:
    """Run fault ``number`` on a fresh client; its row."""
    fault = FAULTS[number]
    row = Row(fault.name, fault.expected)
    events: list[RequestEvent] = []
    server.requests.clear()
    reset_peak_rss()
    started = time.monotonic()
    async with fresh_client(folder, number, scale, events) as client:
        env = Env(server, client, scale, refused_port, events)
        try:
            with anyio.fail_after(GENEROUS * 4):
                await fault.run(env, row)
            row.outcome = "ok"
        except JobPingError as exc:
            row.outcome = type(exc).__name__
        except RuntimeError as exc:
            row.outcome = f"wrong: {exc}"
        row.wall_seconds = time.monotonic() - started
        report = await client.stats_report()
        domain: dict[str, Any] = next(iter(report["domains"].values()), {})
        row.attempts = domain.get("requests", 0)
        row.received = server.total_requests
        row.quota = (domain.get("quota_used") or {}).get("day", 0)
        row.breaker = str(client.breaker_state(server.domain))
    row.peak_rss_mib = peak_rss_mib()
    return row


def reset_peak_rss() -> None:
    """Reset the kernel's peak RSS of this process (Linux); elsewhere the peak only grows."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    """The peak RSS of this process since the last reset, in MiB."""
    try:
        status = Path("/proc/self/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def matrix(scale: Scale, only: str | None) -> list[Row]:
    """Every fault (or those whose name holds ``only``), in order."""
    rows = []
    port = closed_port()
    with tempfile.TemporaryDirectory(prefix="jobping-faults-") as folder:
        async with hostile_server() as server:
            for number, fault in enumerate(FAULTS):
                if not only or only in fault.name:
                    rows.append(await run_fault(server, Path(folder), number, scale, port))
    return rows


def print_table(rows: list[Row], scale: Scale) -> None:
    """The rows as a text table, then the verdict."""
    mode = "quick" if scale is QUICK else "full"
    print(
        f"fault matrix ({mode}): cap {scale.cap:,} B; timeouts {scale.timeout:g}s and deadline"
        f" {scale.deadline:g}s where they are the fault; 4 attempts, waits capped at"
        f" {scale.max_wait:g}s"
    )
    head = (
        "fault",
        "expected",
        "outcome",
        "tries",
        "recv",
        "quota",
        "breaker",
        "wall s",
        "RSS MiB",
    )
    widths = (31, 17, 17, 5, 5, 5, 12, 6, 7)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + "  note")
    for row in rows:
        cells = (
            row.fault,
            row.expected,
            row.outcome if row.passed else f"{row.outcome} !",
            str(row.attempts),
            str(row.received),
            str(row.quota),
            row.breaker,
            f"{row.wall_seconds:.2f}",
            f"{row.peak_rss_mib:.0f}",
        )
        line = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        print(f"{line}  {row.note}".rstrip())
    failed = [row.fault for row in rows if not row.passed]
    print(
        f"{len(rows) - len(failed)} of {len(rows)} faults as expected"
        + (f"; unexpected: {', '.join(failed)}" if failed else "")
    )


def main() -> None:
    """Parse the options, run the matrix, print it; exit 1 on an unexpected outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small bodies and short waits (CI)")
    parser.add_argument("--json", action="store_true", help="one JSON object per fault")
    parser.add_argument("--only", metavar="TEXT", help="only the faults whose name holds TEXT")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    rows = anyio.run(matrix, scale, args.only)
    if args.json:
        for row in rows:
            print(json.dumps(asdict(row) | {"passed": row.passed}))
    else:
        print_table(rows, scale)
    sys.exit(0 if all(row.passed for row in rows) else 1)


if __name__ == "__main__":
    main()
