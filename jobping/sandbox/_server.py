"""The sandbox server: every built-in scraper's API on a loopback port of its own, and OpenAI's.

Each source listens on 127.0.0.1 (a free port, or ``port``, ``port + 1``, ... in name order)
and serves its recorded payloads under the real API's paths, so a scraper whose base URL
points there runs unchanged. A source that is ``down`` keeps its port bound but does not
listen: connections are refused. The OpenAI-compatible endpoint (``_openai``) takes the
next port. Every GET answer carries an ETag and a Last-Modified, and a conditional request
for an unchanged answer gets a 304 (``Sandbox.conditional``; ``validators=False`` sends none).
Runs on anyio's asyncio backend (aiohttp's server).
"""

from __future__ import annotations

import functools
import json
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import SecretStr

from jobping.errors import ConfigError, UnknownScraper
from jobping.sandbox._apis import APIS, Api, BadRequest, NotFound, Query
from jobping.sandbox._conditional import ConditionalAnswers
from jobping.sandbox._data import Dataset, Scale, load_datasets
from jobping.sandbox._faults import FaultInjector, Faults
from jobping.sandbox._openai import BATCH_FILE_MAX_BYTES, CHAT_PATH, ChatCompletions
from jobping.scraping import discover_scrapers
from jobping.settings import ScraperConfig, Settings, load_settings

__all__ = ["HOST", "PLACEHOLDER_KEY", "SOURCES", "Sandbox", "serve_sandbox"]

HOST = "127.0.0.1"
PLACEHOLDER_KEY = "sandbox-placeholder-key"
"""The value every credential gets under the sandbox (any non-empty key passes)."""
SOURCES: tuple[str, ...] = tuple(APIS)
"""The scrapers the sandbox serves, in name order."""
_SHUTDOWN_SECONDS = 0.5
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


class Sandbox:
    """A running sandbox: each source's base URL, targets, faults and requests, and OpenAI's."""

    def __init__(
        self,
        base_urls: Mapping[str, str],
        targets: Mapping[str, tuple[str, ...]],
        injectors: Mapping[str, FaultInjector],
        *,
        openai_base_url: str,
        chat: ChatCompletions,
        datasets: Mapping[str, Mapping[str, Dataset]] | None = None,
        conditional: ConditionalAnswers | None = None,
    ) -> None:
        self.base_urls = dict(base_urls)
        """The base URL of each source, by scraper name."""
        self.targets = dict(targets)
        """The targets each source serves (search APIs answer any query too)."""
        self.openai_base_url = openai_base_url
        """The OpenAI-compatible endpoint's base URL (``http://127.0.0.1:PORT/v1``)."""
        self.chat = chat
        """The endpoint answering chat completions (its requests and tokens so far)."""
        self.conditional = conditional or ConditionalAnswers()
        """The validators of the answers: the 304s sent, and ``enabled`` to send none."""
        self._injectors = dict(injectors)
        self._datasets = {name: dict(boards) for name, boards in (datasets or {}).items()}

    def __repr__(self) -> str:
        down = ",".join(name for name, faults in self.faults.items() if faults.down) or "none"
        total = sum(self.requests.values())
        return (
            f"<Sandbox {HOST} sources={len(self.base_urls)} down={down} requests={total}"
            f" openai_requests={self.chat.requests}>"
        )

    @property
    def faults(self) -> dict[str, Faults]:
        """The faults of each source."""
        return {name: injector.faults for name, injector in self._injectors.items()}

    @property
    def requests(self) -> dict[str, int]:
        """Requests each source has received so far."""
        return {name: injector.requests for name, injector in self._injectors.items()}

    def board(self, name: str, target: str) -> Dataset:
        """The dataset one target of a source serves; edit it to change the board."""
        return self._datasets[name][target]

    def set_faults(self, name: str, faults: Faults) -> None:
        """Change a running source's faults (``down`` then drops every connection).

        Raises:
            ValueError: the source was started down: nothing serves it to change.
        """
        injector = self._injectors[name]
        if injector.faults.down and name not in self._datasets:
            raise ValueError(f"{name} was started down: start it up to change its faults")
        injector.faults = faults

    def apply(self, settings: Settings) -> Settings:
        """A copy of ``settings`` pointing every sandboxed scraper and the LLM at this sandbox.

        Each scraper gets its sandbox base URL and the sandbox's targets (they replace the
        configured ones, which the sandbox does not serve); every credential the scrapers
        declare gets ``PLACEHOLDER_KEY``, so keyed scrapers run and no real key is sent.
        ``OPENAI_BASE_URL`` becomes the sandbox's endpoint and ``OPENAI_API_KEY`` the
        placeholder too, so enrichment runs offline, without a key.
        """
        scrapers = dict(settings.scrapers)
        for name, url in self.base_urls.items():
            config = scrapers.get(name) or ScraperConfig()
            update = {"base_url": url, "targets": list(self.targets[name])}
            scrapers[name] = config.model_copy(update=update)
        placeholder = SecretStr(PLACEHOLDER_KEY)
        keys = dict.fromkeys(_credentials(settings, self.base_urls), placeholder)
        openai = {"openai_base_url": self.openai_base_url, "openai_api_key": placeholder}
        return settings.model_copy(update={"scrapers": scrapers, **keys, **openai})

    def run_env(self, source: str, database: Path, **variables: str) -> dict[str, str]:
        """The environment of a ``jobping run`` child scraping only ``source`` at this sandbox.

        This process's variables less ``OPENAI_*`` (no real key is spent, no enrichment),
        the SQLite file ``database``, ``LOG_LEVEL`` WARNING, and ``variables`` on top. For
        benchmarks that time whole runs.
        """
        applied = self.apply(load_settings(env_file=None))
        scrapers = {
            name: config.model_dump(exclude_unset=True) | {"enabled": name == source}
            for name, config in applied.scrapers.items()
        }
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        return {
            **inherited,
            "DATABASE_URL": f"sqlite:///{database}",
            "SCRAPERS": json.dumps(scrapers),
            "LOG_LEVEL": "WARNING",
            **variables,
        }


@asynccontextmanager
async def serve_sandbox(
    faults: Mapping[str, Faults] | None = None,
    *,
    scale: Scale | None = None,
    port: int = 0,
    validators: bool = True,
    render_once: bool = False,
) -> AsyncIterator[Sandbox]:
    """Serve every built-in scraper's API and an OpenAI endpoint on 127.0.0.1 until the block exits.

    Args:
        faults: The faults of each source, by scraper name (the others have none).
        scale: Serve synthesized targets and jobs instead of the recorded ones.
        port: 0 for free ports; else the sources take ``port``, ``port + 1``, ... in name
            order, and the OpenAI endpoint the port after theirs.
        validators: Whether answers carry an ETag and a Last-Modified (and get 304s).
        render_once: Render the JSON answer to a GET of a synthesized target once per URL
            and serve those bytes again (up to 256 MiB in all): for a benchmark serving the
            same boards to several runs, whose sandbox should cost the machine under test
            little, as a remote API would.

    Raises:
        UnknownScraper: ``faults`` names a source the sandbox does not serve.
        ConfigError: a port cannot be used.
    """
    faults = dict(faults or {})
    if unknown := sorted(set(faults) - set(APIS)):
        raise UnknownScraper(unknown[0], list(APIS))
    if port and not 1 <= port <= 65535 - len(APIS):
        raise ConfigError({"port": f"must be 1 to {65535 - len(APIS)} (or 0 for free ports)"})
    async with AsyncExitStack() as stack:
        base_urls: dict[str, str] = {}
        targets: dict[str, tuple[str, ...]] = {}
        injectors: dict[str, FaultInjector] = {}
        served: dict[str, dict[str, Dataset]] = {}
        conditional = ConditionalAnswers(enabled=validators)
        rendered = _Rendered() if render_once else None
        for index, api in enumerate(APIS.values()):
            sock = _bind(port + index if port else 0)
            stack.callback(sock.close)
            injector = injectors[api.name] = FaultInjector(api.name, faults.get(api.name, Faults()))
            datasets = _datasets(api, scale)
            if not injector.faults.down:
                app = _app(api, datasets, injector, conditional, rendered)
                await _serve(stack, sock, app)
                served[api.name] = datasets
            base_urls[api.name] = f"http://{HOST}:{sock.getsockname()[1]}{api.root}"
            targets[api.name] = tuple(map(api.target_text, datasets))
        sock = _bind(port + len(APIS) if port else 0)
        stack.callback(sock.close)
        chat = ChatCompletions()
        await _serve(stack, sock, _openai_app(chat))
        openai_base_url = f"http://{HOST}:{sock.getsockname()[1]}/v1"
        yield Sandbox(
            base_urls,
            targets,
            injectors,
            openai_base_url=openai_base_url,
            chat=chat,
            datasets=served,
            conditional=conditional,
        )


def _bind(port: int) -> socket.socket:
    """A socket bound to ``HOST:port`` (not listening yet); 0 picks a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if port:  # a fixed port is free again at once after a restart
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        problem = f"cannot listen on {HOST}:{port}: {exc.strerror or exc}"
        raise ConfigError({"port": problem}) from None
    return sock


def _datasets(api: Api, scale: Scale | None) -> dict[str, Dataset]:
    """The datasets of ``api``; one target only when requests cannot name one."""
    if scale is not None and "{target}" not in api.path and api.target_param is None:
        scale = Scale(1, scale.jobs)
    return load_datasets(
        api.name,
        api.files,
        items_key=api.items_key,
        id_key=api.id_key,
        scale=scale,
        decode=api.decode,
    )


def _app(
    api: Api,
    datasets: dict[str, Dataset],
    injector: FaultInjector,
    conditional: ConditionalAnswers,
    rendered: _Rendered | None,
) -> web.Application:
    app = web.Application(middlewares=[conditional.middleware, injector.middleware])
    app.router.add_route(api.method, api.path, _handler(api, datasets, api.respond, rendered))
    if api.detail is not None:
        app.router.add_get(api.detail[0], _handler(api, datasets, api.detail[1], rendered))
    return app


def _openai_app(chat: ChatCompletions) -> web.Application:
    app = web.Application(client_max_size=BATCH_FILE_MAX_BYTES)
    app.router.add_post(CHAT_PATH, chat.handle)
    chat.batches.add_routes(app)
    return app


async def _serve(stack: AsyncExitStack, sock: socket.socket, app: web.Application) -> None:
    """Serve ``app`` on ``sock`` until ``stack`` closes."""
    runner = web.AppRunner(
        app, access_log=None, shutdown_timeout=_SHUTDOWN_SECONDS, handler_cancellation=True
    )
    await runner.setup()
    stack.push_async_callback(_cleanup, runner)
    await web.SockSite(runner, sock).start()


async def _cleanup(runner: web.AppRunner) -> None:
    with anyio.CancelScope(shield=True):
        await runner.cleanup()


def _handler(
    api: Api,
    datasets: dict[str, Dataset],
    respond: Callable[[Query, Dataset], Any],
    rendered: _Rendered | None,
) -> Handler:
    """A request handler of ``api``: keys, target, then ``respond``'s answer.

    With ``rendered``, the JSON answer to a GET of a synthesized dataset (which never
    changes) is kept there by URL and served again as it was.
    """
    first = next(iter(datasets.values()))

    async def handle(request: web.Request) -> web.StreamResponse:
        if (refusal := api.refuse(request)) is not None:
            return _json(refusal, status=401)
        target = request.match_info.get("target")
        if target is None and api.target_param:
            target = request.query.get(api.target_param)
        data = datasets.get(target) if target else first
        if data is None and api.any_target:
            data = first
        if data is None:
            known = sorted(datasets)[:20]
            error = f"the sandbox has no {api.name} target {target!r}"
            return _json({"error": error, "targets": known}, status=404)
        keep = rendered if data.synthesized and request.method == "GET" else None
        if keep is not None and (body := keep.get(str(request.url))) is not None:
            return _json_body(body)
        answer = await _answer(request, data, respond)
        if isinstance(answer, web.StreamResponse):
            return answer
        body = _dumps(answer).encode()
        if keep is not None:
            keep.keep(str(request.url), body)
        return _json_body(body)

    return handle


async def _answer(
    request: web.Request, data: Dataset, respond: Callable[[Query, Dataset], Any]
) -> Any:
    """``respond``'s answer to ``request``, or the error answer to a bad body or query."""
    try:
        body = await request.json() if request.method == "POST" else None
    except ValueError:
        return _json({"error": "the body is not JSON"}, status=400)
    try:
        return respond(Query(request, body if isinstance(body, dict) else None), data)
    except BadRequest as exc:
        return _json({"error": str(exc)}, status=400)
    except NotFound as exc:
        return _json({"error": str(exc)}, status=404)


class _Rendered:
    """JSON answers kept by URL, up to ``max_bytes`` in all (then no more are kept)."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self._bodies: dict[str, bytes] = {}
        self._room = max_bytes

    def get(self, url: str) -> bytes | None:
        return self._bodies.get(url)

    def keep(self, url: str, body: bytes) -> None:
        if len(body) <= self._room and url not in self._bodies:
            self._bodies[url] = body
            self._room -= len(body)


def _json(body: Any, status: int = 200) -> web.Response:
    return _json_body(_dumps(body).encode(), status)


def _json_body(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8")


def _credentials(settings: Settings, names: Iterable[str]) -> set[str]:
    """The settings holding the credentials the named scrapers declare."""
    wanted = set(names)
    return {
        key
        for row in discover_scrapers(settings)
        if row.name in wanted and row.scraper is not None
        for key in (*row.scraper.credentials, *row.scraper.optional_credentials)
        if key in Settings.model_fields
    }
