r"""A hostile local HTTP/1.1 server for network tests, on 127.0.0.1 and a free port.

Raw asyncio streams, so each misbehaviour is exact: slow drip, connection reset (before or
during the body), 429/503 with ``Retry-After`` in both forms, HTML where JSON is expected,
a WAF captcha page, oversized bodies (with or without ``Content-Length``), a UTF-8 BOM.
It counts requests (per path) and accepted TCP connections, and keeps connections alive.

Routes (query parameters tune them):

- ``/json?size=N`` JSON (padded to about N bytes); ``/bom`` JSON after a UTF-8 BOM
- ``/html`` a plain HTML page; ``/echo`` an HTML error page quoting the request target
- ``/captcha?status=403`` a bot-challenge page
- ``/status/CODE?retry_after=V`` that status, with ``Retry-After: V`` when given
- ``/slow?interval=S`` headers, then one body byte every S seconds, forever
- ``/reset`` reads the request and resets the connection; ``/reset_body`` resets mid-body
- ``/big?size=N`` N bytes with Content-Length; ``/big?size=N&chunked=1`` without it
- ``/gzip?size=N`` gzip-compressed JSON of about N bytes; ``/headers`` the request headers
- ``/redirect/CODE?to=PATH`` that redirect status to ``PATH`` (itself by default: a loop)
- ``/deep?depth=N`` JSON arrays nested N deep; ``/bad_utf8`` JSON with invalid UTF-8 bytes
- ``/truncated`` JSON cut in half; ``/hang`` reads the request and never answers
- ``/bomb?size=N`` gzip of N zero bytes, compressed while streaming (a compression bomb)
- ``/echo?pad=N`` puts N dots before the quoted request target; ``&seen=1`` quotes the bare
  value of its ``api_key`` parameter instead

Every request head is kept in ``heads``, as received. A request line that is not one (a
stray ``0\r\n\r\n`` after a body-less request, say) is answered 400 and counted under
``MALFORMED``, as a simple keep-alive server would.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import struct
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import parse_qs, urlsplit

__all__ = ["CAPTCHA_PAGE", "MALFORMED", "HostileServer", "closed_port", "hostile_server"]

MALFORMED = "<malformed>"
"""The ``requests`` key of request lines that were not HTTP requests."""
_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
}
CAPTCHA_PAGE = (
    b"<!DOCTYPE html><html><head><title>Attention Required!</title></head>"
    b"<body><div class='g-recaptcha'>Please complete the captcha</div></body></html>"
)


class HostileServer:
    """State and handlers of the server; use ``hostile_server()`` to run one."""

    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self.requests: Counter[str] = Counter()
        self.tasks: set[asyncio.Task[None]] = set()
        self.last_head = b""
        self.heads: list[bytes] = []

    @property
    def total_requests(self) -> int:
        """Requests received, all paths together."""
        return sum(self.requests.values())

    @property
    def domain(self) -> str:
        """The key of this server's per-domain state in the client (host and port)."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection until the client closes it or a route ends it."""
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # the server stops: a hanging route ends here
            pass
        finally:
            with suppress(ConnectionError, RuntimeError):
                writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = self.last_head = await reader.readuntil(b"\r\n\r\n")
        self.heads.append(head)
        request_line = head.split(b"\r\n", 1)[0].split(b" ")
        if len(request_line) != 3 or not request_line[1].startswith(b"/"):
            self.requests[MALFORMED] += 1
            await _send(writer, 400, b"bad request", "text/plain")
            return True
        target = request_line[1].decode()
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.requests[parts.path] += 1
        route = parts.path.strip("/").split("/")[0] or "json"
        handler = getattr(self, f"_route_{route}", None)
        if handler is None:
            await _send(writer, 404, b"not found", "text/plain")
            return True
        result: bool = await handler(writer, parts.path, query, target)
        return result

    async def _route_json(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        size = int(query.get("size", "0"))
        body = json.dumps({"ok": True, "pad": "x" * max(0, size - 24)}).encode()
        await _send(writer, 200, body, "application/json")
        return True

    async def _route_bom(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        await _send(writer, 200, b'\xef\xbb\xbf{"jobs": [1, 2]}', "application/json")
        return True

    async def _route_html(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        await _send(
            writer, 200, b"<html><body>Welcome to our careers page</body></html>", "text/html"
        )
        return True

    async def _route_echo(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        pad = "." * int(query.get("pad", "0"))
        said = f"seen {query.get('api_key')}" if "seen" in query else f"Error 500 for {target}"
        body = f"<html><body>{pad}{said}</body></html>".encode()
        await _send(writer, 200, body, "text/html")
        return True

    async def _route_captcha(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        await _send(writer, int(query.get("status", "403")), CAPTCHA_PAGE, "text/html")
        return True

    async def _route_status(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        code = int(path.rsplit("/", 1)[1])
        extra = {"Retry-After": query["retry_after"]} if "retry_after" in query else {}
        await _send(writer, code, b'{"error": "status"}', "application/json", extra)
        return True

    async def _route_slow(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        interval = float(query.get("interval", "0.05"))
        writer.write(_head(200, "application/json", {"Content-Length": "1000000"}))
        while True:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(interval)

    async def _route_reset(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        _reset(writer)
        return False

    async def _route_reset_body(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        writer.write(_head(200, "application/json", {"Content-Length": "1000"}) + b'{"jobs": [')
        await writer.drain()
        await asyncio.sleep(0.01)
        _reset(writer)
        return False

    async def _route_headers(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        lines = self.last_head.decode("latin-1").split("\r\n")[1:]
        headers = dict(line.split(": ", 1) for line in lines if ": " in line)
        await _send(
            writer,
            200,
            json.dumps({k.lower(): v for k, v in headers.items()}).encode(),
            "application/json",
        )
        return True

    async def _route_versioned(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        """A page whose version is ``?body=`` (the body itself): ETag and Last-Modified, 304s.

        ``?validators=none`` sends neither header (and never a 304).
        """
        body = query.get("body", '{"jobs": []}').encode()
        etag = f'"{len(body)}-{sum(body)}"'
        extra = {"ETag": etag, "Last-Modified": "Mon, 23 Nov 2026 09:00:00 GMT"}
        if query.get("validators") == "none":
            extra = {}
        head = self.last_head.decode("latin-1").lower()
        asked = f"if-none-match: {etag}".lower() in head or "if-modified-since:" in head
        if extra and asked:
            await _send(writer, 304, b"", "application/json", extra)
        else:
            await _send(writer, 200, body, "application/json", extra)
        return True

    async def _route_cookie(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        cookie = {"Set-Cookie": f"session={query.get('value', 'abc')}; Path=/"}
        if "redirect" in query:
            await _send(writer, 302, b"moved", "text/plain", {**cookie, "Location": "/headers"})
        else:
            await _send(writer, 200, b'{"ok": true}', "application/json", cookie)
        return True

    async def _route_gzip(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        size = int(query.get("size", "1000"))
        body = gzip.compress(json.dumps({"pad": " " * size}).encode())
        await _send(writer, 200, body, "application/json", {"Content-Encoding": "gzip"})
        return True

    async def _route_redirect(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        code = int(path.rsplit("/", 1)[1])
        location = query.get("to", target)
        await _send(writer, code, b"moved", "text/plain", {"Location": location})
        return True

    async def _route_deep(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        depth = int(query.get("depth", "200000"))
        await _send(writer, 200, b"[" * depth + b"]" * depth, "application/json")
        return True

    async def _route_bad_utf8(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        body = b'{"jobs": [{"title": "Caf\xe9 manager"}, {"title": "Ing\xe9nieur \xff"}]}'
        await _send(writer, 200, body, "application/json")
        return True

    async def _route_truncated(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        await _send(writer, 200, b'{"jobs": [{"title": "Engin', "application/json")
        return True

    async def _route_hang(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        await asyncio.Event().wait()
        return False

    async def _route_bomb(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        size, block = int(query.get("size", str(1 << 30))), b"\0" * (1 << 20)
        writer.write(_head(200, "application/json", {"Content-Encoding": "gzip"}))
        squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
        for start in range(0, size, len(block)):
            writer.write(squeeze.compress(block[: size - start]))
            writer.write(squeeze.flush(zlib.Z_SYNC_FLUSH))
            await writer.drain()
        writer.write(squeeze.flush())
        await writer.drain()
        return False

    async def _route_big(
        self, writer: asyncio.StreamWriter, path: str, query: dict[str, str], target: str
    ) -> bool:
        size = int(query.get("size", "100000"))
        if query.get("chunked"):
            writer.write(_head(200, "application/json", {"Transfer-Encoding": "chunked"}))
            for start in range(0, size, 4096):
                chunk = b"x" * min(4096, size - start)
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
        else:  # streamed too: a 200 MB body costs the server no memory
            writer.write(_head(200, "application/json", {"Content-Length": str(size)}))
            for start in range(0, size, 65536):
                writer.write(b"x" * min(65536, size - start))
                await writer.drain()
        return True


def _head(status: int, content_type: str, extra: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Content-Type: {content_type}"]
    lines += [f"{name}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    content_type: str,
    extra: dict[str, str] | None = None,
) -> None:
    headers = {"Content-Length": str(len(body)), **(extra or {})}
    writer.write(_head(status, content_type, headers) + body)
    await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0) instead of a clean FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@asynccontextmanager
async def hostile_server() -> AsyncIterator[HostileServer]:
    """Run a ``HostileServer`` on 127.0.0.1 (a free port) for the duration of the block."""
    state = HostileServer()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        for task in state.tasks:
            task.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)
