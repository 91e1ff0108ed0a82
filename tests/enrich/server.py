"""A small OpenAI-compatible server for the enrichment tests, on 127.0.0.1 and a free port.

``POST /v1/chat/completions`` answers a valid enrichment (random, from the taxonomy) with a
realistic random ``usage`` up to the worst case the budget reserves: prompt tokens within
the reservation's margin of our own count, cached tokens, completion tokens up to
``max_completion_tokens`` and reasoning tokens inside them. Every answer is recorded, so a
test can add up what the server billed.

Faults, for the next requests (``fail_next``) or for every request (``always``):
``rate_limit`` (429 with ``Retry-After``), ``no_credit`` (429 ``insufficient_quota``),
``unauthorized`` (401 quoting the key, as OpenAI does), ``server_error`` (500),
``timeout`` (no answer until the test ends), ``invalid`` (an answer off the schema),
``no_usage`` (a valid answer without ``usage``).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from jobping.budget import PriceTable, count_chat_tokens, reserved_prompt_tokens
from jobping.enrich import TAXONOMY

__all__ = ["FakeOpenAI", "Served", "serve_openai"]

FAULTS = frozenset(
    {"rate_limit", "no_credit", "unauthorized", "server_error", "timeout", "invalid", "no_usage"}
)


@dataclass(frozen=True, slots=True)
class Served:
    """The usage of one answer the server gave."""

    model: str
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    counted_prompt_tokens: int
    max_completion_tokens: int


class FakeOpenAI:
    """State and handler of the server; use :func:`serve_openai` to run one."""

    def __init__(self, *, seed: int = 0) -> None:
        self.port = 0
        self.random = random.Random(seed)  # noqa: S311 (test data)
        self.served: list[Served] = []
        self.requests: list[dict[str, Any]] = []
        self.faults: deque[str] = deque()
        self.always: str | None = None
        self.released = asyncio.Event()

    @property
    def base_url(self) -> str:
        """The ``base_url`` to give the SDK."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def models(self) -> list[str]:
        """The model of each request received, in order."""
        return [request["model"] for request in self.requests]

    def billed(self, prices: PriceTable) -> tuple[int, int]:
        """Tokens (prompt + completion) and µUSD of every answer given, at ``prices``."""
        tokens = sum(s.prompt_tokens + s.completion_tokens for s in self.served)
        micro_usd = sum(
            prices.price(s.model).cost_micro_usd(
                s.prompt_tokens,
                s.cached_tokens,
                s.completion_tokens,
                reasoning_tokens=s.reasoning_tokens,
            )
            for s in self.served
        )
        return tokens, micro_usd

    def fail_next(self, faults: Iterable[str]) -> None:
        """Answer the next requests with these faults, in order."""
        faults = list(faults)
        assert set(faults) <= FAULTS, faults
        self.faults.extend(faults)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one chat completion (or the fault whose turn it is)."""
        body = await request.json()
        self.requests.append(body)
        fault = self.faults.popleft() if self.faults else self.always
        if fault == "timeout":
            await self.released.wait()
        if fault in {"rate_limit", "no_credit", "unauthorized", "server_error"}:
            return _error(fault, request.headers.get("Authorization", ""))
        content = '{"summary": "no schema here"}' if fault == "invalid" else self._answer()
        answer: dict[str, Any] = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 1_790_000_000,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
        }
        if fault != "no_usage":
            answer["usage"] = self._usage(body)
        return web.json_response(answer)

    def _answer(self) -> str:
        pick = self.random
        return json.dumps(
            {
                "experience_required": pick.choice([None, "2+ years", "senior level"]),
                "is_graduate": pick.choice([None, True, False]),
                "is_internship": pick.choice([None, False]),
                "visa_friendly": pick.choice([None, True, False]),
                "work_environment": pick.choice(["remote", "hybrid", "on-site", "unknown"]),
                "categories": pick.sample(list(TAXONOMY), pick.randint(1, 3)),
                "language_requirements": pick.sample(["en", "de", "fr"], pick.randint(0, 2)),
                "summary": "Builds data pipelines for a payments company.",
            }
        )

    def _usage(self, body: dict[str, Any]) -> dict[str, Any]:
        """Random usage within the worst case: prompt within the margin, output up to max."""
        pick, model = self.random, body["model"]
        counted = count_chat_tokens(body["messages"], model, body["response_format"])
        prompt = pick.randint(max(1, counted - 8), reserved_prompt_tokens(counted))
        completion = pick.randint(1, body["max_completion_tokens"])
        served = Served(
            model=model,
            prompt_tokens=prompt,
            cached_tokens=pick.randint(0, prompt) // 64 * 64,
            completion_tokens=completion,
            reasoning_tokens=pick.randint(0, completion),
            counted_prompt_tokens=counted,
            max_completion_tokens=body["max_completion_tokens"],
        )
        self.served.append(served)
        return {
            "prompt_tokens": served.prompt_tokens,
            "completion_tokens": served.completion_tokens,
            "total_tokens": served.prompt_tokens + served.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": served.cached_tokens},
            "completion_tokens_details": {"reasoning_tokens": served.reasoning_tokens},
        }


def _error(fault: str, authorization: str) -> web.Response:
    """The error OpenAI answers for ``fault`` (its status, body and headers)."""
    key = authorization.removeprefix("Bearer ")
    status, code, kind, message, headers = {
        "rate_limit": (429, "rate_limit_exceeded", "requests", "Rate limit reached", {}),
        "no_credit": (
            429,
            "insufficient_quota",
            "insufficient_quota",
            "You exceeded your quota",
            {},
        ),
        "unauthorized": (
            401,
            "invalid_api_key",
            "invalid_request_error",
            f"Incorrect API key provided: {key}",
            {},
        ),
        "server_error": (500, None, "server_error", "The server had an error", {}),
    }[fault]
    if fault == "rate_limit":
        headers = {"Retry-After": "2"}
    error = {"message": message, "type": kind, "param": None, "code": code}
    return web.json_response({"error": error}, status=status, headers=headers)


@asynccontextmanager
async def serve_openai(*, seed: int = 0) -> AsyncIterator[FakeOpenAI]:
    """Run a :class:`FakeOpenAI` on 127.0.0.1 for the duration of the block."""
    server = FakeOpenAI(seed=seed)
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        server.released.set()
        await runner.cleanup()
