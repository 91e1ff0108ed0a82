"""Benchmark: ScrapeClient against raw httpx, httpx over aiohttp, and raw aiohttp.

A local aiohttp.web server in a separate process serves a ~21 KB JSON page and counts the
TCP connections it accepts. Each client fetches and parses the page N times at each
concurrency (pool limits 100 connections, keep-alive 100, for every client). ScrapeClient
runs with every layer on: a daily quota (huge limit) on a SQLite store, the breaker,
retries, the throttle/concurrency limiter and the stats hook.

    .venv/bin/python scripts/bench/http_client.py                # 10,000 requests, c = 1, 16, 64
    .venv/bin/python scripts/bench/http_client.py -n 2000 -c 64  # a quick run

Every client's pool is opened once per concurrency; the requests are split into rounds that
alternate between the clients, each round starting with the next client, so the noise of a
shared machine (and the wake of the client before) falls on all of them alike.

On a 2-core machine the server process competes with the client for the CPU: absolute
figures are lower than on a real network, the ratios are what to read.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from httpx_aiohttp import AiohttpTransport

from jobping.http import DomainPolicy, ScrapeClient
from jobping.store import open_store

POOL = 100
KEEPALIVE = 15.0  # seconds; aiohttp's default, and ScrapeClient's
Fetch = Callable[[str], Awaitable[Any]]


def page() -> bytes:
    """A job-board-like JSON page of about 21 KB."""
    jobs = [
        {
            "id": 4_000_000_000 + n,
            "title": f"Senior Python Engineer {n}",
            "company": {"name": "Example Corp", "url": "https://example.com"},
            "location": {"name": "Remote, Europe"},
            "updated_at": "2026-11-23T10:00:00Z",
            "content": "We build data pipelines in Python. " * 10,
            "tags": ["python", "asyncio", "postgres"],
        }
        for n in range(35)
    ]
    return json.dumps({"jobs": jobs, "meta": {"total": 35}}).encode()


# server (separate process) ----------------------------------------------------------------


async def serve() -> None:
    """Serve /page and /stats on 127.0.0.1; print the port; run until stdin closes."""
    body = page()
    counts = {"connections": 0, "requests": 0}

    async def handle_page(request: web.Request) -> web.Response:
        counts["requests"] += 1
        return web.Response(body=body, content_type="application/json")

    async def handle_stats(request: web.Request) -> web.Response:
        data = dict(counts)
        counts.update(connections=0, requests=0)
        return web.json_response(data)

    app = web.Application()
    app.router.add_get("/page", handle_page)
    app.router.add_get("/stats", handle_stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    factory = runner.server
    if factory is None:
        raise RuntimeError("the aiohttp runner has no server after setup()")

    def protocol() -> asyncio.Protocol:
        counts["connections"] += 1
        return factory()

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()
    await runner.cleanup()


def read_stats(port: int) -> dict[str, int]:
    """The server's counts since the last read (the read's own connection excluded)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/stats")
    data: dict[str, int] = json.loads(conn.getresponse().read())
    conn.close()
    data["connections"] -= 1
    return data


# clients ------------------------------------------------------------------------------------


async def run_load(fetch: Fetch, url: str, requests: int, concurrency: int) -> float:
    """Fetch ``url`` ``requests`` times with ``concurrency`` workers; the wall seconds taken."""
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await fetch(url)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def limits() -> httpx.Limits:
    """The same pool size for every client."""
    return httpx.Limits(
        max_connections=POOL, max_keepalive_connections=POOL, keepalive_expiry=KEEPALIVE
    )


@asynccontextmanager
async def raw_httpx() -> AsyncIterator[Fetch]:
    """httpx.AsyncClient with its own httpcore pool."""
    async with httpx.AsyncClient(limits=limits()) as client:

        async def fetch(url: str) -> Any:
            return (await client.get(url)).json()

        yield fetch


@asynccontextmanager
async def httpx_aiohttp() -> AsyncIterator[Fetch]:
    """httpx.AsyncClient over httpx_aiohttp.AiohttpTransport."""
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits())) as client:

        async def fetch(url: str) -> Any:
            return (await client.get(url)).json()

        yield fetch


@asynccontextmanager
async def raw_aiohttp() -> AsyncIterator[Fetch]:
    """aiohttp.ClientSession directly."""
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=POOL, keepalive_timeout=KEEPALIVE)
    ) as session:

        async def fetch(url: str) -> Any:
            async with session.get(url) as response:
                return await response.json()

        yield fetch


@asynccontextmanager
async def scrape_client() -> AsyncIterator[Fetch]:
    """ScrapeClient with quota (SQLite), breaker, retries, throttle and stats on.

    The quota block is the default users get (it grows with demand); only the per-domain
    concurrency is raised to the pool size, as a user serving one busy domain would.
    """
    policy = DomainPolicy(daily_quota=10**9, max_concurrency=POOL)
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(f"sqlite:///{tmp}/bench.db")
        try:
            async with ScrapeClient(store=store, policy=policy, max_connections=POOL) as client:
                yield client.get_json
                stats = await client.stats_report()
                print(
                    f"  (ScrapeClient stats: {stats['total']['requests']} requests,"
                    f" p50 {stats['total']['latency_seconds']['p50'] * 1000:.1f} ms)"
                )
        finally:
            await store.close()


CLIENTS: dict[str, Callable[[], AbstractAsyncContextManager[Fetch]]] = {
    "raw httpx": raw_httpx,
    "httpx+aiohttp": httpx_aiohttp,
    "raw aiohttp": raw_aiohttp,
    "ScrapeClient": scrape_client,
}


class Tally:
    """Wall seconds, client CPU seconds and server connections of one client, summed."""

    def __init__(self) -> None:
        self.seconds = self.cpu = 0.0
        self.connections = 0


async def bench_concurrency(url: str, port: int, n: int, c: int, chunks: int) -> dict[str, Tally]:
    """Open every client once; run ``chunks`` rounds of n/chunks requests each, interleaved.

    Interleaving, each round starting one client further, spreads the noise of a shared
    machine evenly over the clients.
    """
    tallies = {name: Tally() for name in CLIENTS}
    async with AsyncExitStack() as stack:
        fetchers = {name: await stack.enter_async_context(make()) for name, make in CLIENTS.items()}
        read_stats(port)
        order = list(fetchers.items())
        for round_ in range(chunks):
            shift = round_ % len(order)
            for name, fetch in order[shift:] + order[:shift]:
                cpu = time.process_time()
                tallies[name].seconds += await run_load(fetch, url, n // chunks, c)
                tallies[name].cpu += time.process_time() - cpu
                served = read_stats(port)
                if served["requests"] != n // chunks:
                    raise RuntimeError(f"{name}: the server saw {served}, not {n // chunks}")
                tallies[name].connections += served["connections"]
    return tallies


def main() -> None:
    """Start the server, run every client at every concurrency, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=10_000)
    parser.add_argument("-c", "--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument(
        "--chunks", type=int, default=20, help="interleaved rounds the requests are split into"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve())
        return
    with subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as server:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/page"
        n = args.requests // args.chunks * args.chunks
        print(
            f"{n} requests of {len(page()):,} bytes, JSON parsed; pool {POOL}/{POOL};"
            f" {args.chunks} interleaved rounds per client"
        )
        print(
            f"{'client':<14} {'conc':>4} {'req/s':>7} {'vs httpx':>9} {'vs h+aio':>9}"
            f" {'cpu us/req':>10} {'req/conn':>9}"
        )
        for c in args.concurrency:
            tallies = asyncio.run(bench_concurrency(url, port, n, c, args.chunks))
            report(tallies, n, c)
    # leaving the block closes the server's stdin, which stops it, and waits for it


def report(tallies: dict[str, Tally], n: int, c: int) -> None:
    """Print one row per client."""
    rate = {name: n / t.seconds for name, t in tallies.items()}
    for name, t in tallies.items():
        print(
            f"{name:<14} {c:>4} {rate[name]:>7.0f}"
            f" {rate[name] / rate['raw httpx']:>8.2f}x"
            f" {rate[name] / rate['httpx+aiohttp']:>8.2f}x"
            f" {t.cpu / n * 1e6:>10.0f} {n / max(1, t.connections):>9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
