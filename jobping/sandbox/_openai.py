"""The sandbox's OpenAI-compatible endpoint: ``POST /v1/chat/completions``, no model behind it.

Every chat completion is answered with a valid enrichment of the job in the last user
message (see ``_answers``) and a realistic ``usage``:

- ``prompt_tokens``: the request as the budget counts it (``count_chat_tokens``: messages,
  their overhead and the answer schema), moved by what a server's own rendering adds, from
  8 tokens fewer up to the margin the budget reserves (5 % and 16 tokens more);
- ``cached_tokens``: the part every call shares (the messages before the last and the
  schema) in whole blocks of 128 tokens, on three calls in four of at least 1,024 prompt
  tokens (a simplified OpenAI prompt cache);
- ``completion_tokens``: the answer counted with tiktoken plus, for reasoning models (the
  gpt-5 and o families), ``reasoning_tokens``: blocks of 64 tokens, about two on average
  with a long tail, never past ``max_completion_tokens``; an answer longer than that is
  cut and ends with ``finish_reason`` ``length``.

Each draw comes from a generator seeded with the seed and a digest of the request: the same
request always gets the same answer, in any order. A request without a bearer key gets
OpenAI's 401 (any non-empty key passes), a malformed one a 400 naming the field.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from jobping.budget import (
    count_chat_tokens,
    count_tokens,
    reserved_prompt_tokens,
    truncate_to_tokens,
)
from jobping.sandbox._answers import enrichment_answer

__all__ = ["CHAT_PATH", "ChatCompletions", "ChatUsage", "Completion", "openai_error"]

CHAT_PATH = "/v1/chat/completions"
_CACHE_MIN_PROMPT_TOKENS = 1024
_CACHE_BLOCK_TOKENS = 128
_CACHE_HIT_RATE = 0.75
_RENDERING_FEWER_TOKENS = 8
_DEFAULT_MAX_COMPLETION_TOKENS = 4096
_REASONING_BLOCK_TOKENS = 64
_REASONING_MEAN_BLOCKS = 2.5
_REASONING_FAMILIES = ("gpt-5", "o1", "o3", "o4")
_CREATED = 1_790_000_000
"""A fixed ``created`` time: an answer depends on the request and the seed only."""
_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization"
    " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)


@dataclass(frozen=True, slots=True)
class ChatUsage:
    """The usage of one answer, and the request's numbers it was drawn from."""

    model: str
    prompt_tokens: int
    cached_tokens: int
    """Part of ``prompt_tokens``."""
    completion_tokens: int
    reasoning_tokens: int
    """Part of ``completion_tokens``."""
    counted_prompt_tokens: int
    """The request's prompt as tiktoken counts it (the budget's own count)."""
    max_completion_tokens: int

    def to_dict(self) -> dict[str, Any]:
        """The response's ``usage`` object."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": self.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer: the response body (JSON-ready) and its usage."""

    body: dict[str, Any]
    usage: ChatUsage


@dataclass(frozen=True, slots=True)
class _Request:
    """The parts of a chat completion request the sandbox reads."""

    model: str
    messages: list[dict[str, str]]
    response_format: Mapping[str, Any] | None
    max_completion_tokens: int

    @classmethod
    def parse(cls, body: object) -> _Request:
        """The request in ``body``; ``ValueError`` naming the first field that is wrong."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        model, messages = body.get("model"), body.get("messages")
        if not (isinstance(model, str) and model.strip()):
            raise ValueError("model: expected a model name")
        if not (isinstance(messages, list) and messages and all(map(_is_message, messages))):
            raise ValueError("messages: expected a list of messages with text content")
        if not any(message["role"] == "user" for message in messages):
            raise ValueError("messages: expected a user message (the job)")
        response_format = body.get("response_format")
        if response_format is not None and not isinstance(response_format, dict):
            raise ValueError("response_format: expected an object")
        if body.get("stream"):
            raise ValueError("stream: the sandbox answers whole responses only")
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        if limit is None:
            limit = _DEFAULT_MAX_COMPLETION_TOKENS
        if not (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1):
            raise ValueError("max_completion_tokens: expected a whole number >= 1")
        return cls(model, messages, response_format, limit)

    @property
    def job(self) -> str:
        """The text of the last user message."""
        return next(m["content"] for m in reversed(self.messages) if m["role"] == "user")


class ChatCompletions:
    """The endpoint: :meth:`complete` answers a request body, :meth:`handle` serves it."""

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self.requests = 0
        """Requests received so far (refused ones included)."""
        self.tokens = 0
        """Prompt and completion tokens of every answer so far."""

    def __repr__(self) -> str:
        return f"<ChatCompletions seed={self.seed} requests={self.requests} tokens={self.tokens}>"

    def complete(self, body: object) -> Completion:
        """The answer to a request body (a decoded JSON object).

        Raises:
            ValueError: the body is not a chat completion request; the message says why.
        """
        request = _Request.parse(body)
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        draws = random.Random(f"{self.seed}:{digest}")  # noqa: S311 - not for security
        model, limit = request.model, request.max_completion_tokens
        content, answer_tokens, finish = _answer(request)
        reasoning = _reasoning(model, limit - answer_tokens, draws)
        counted, prompt, cached = _prompt_usage(request, draws)
        completion = answer_tokens + reasoning
        usage = ChatUsage(model, prompt, cached, completion, reasoning, counted, limit)
        self.tokens += prompt + completion
        identifier = f"chatcmpl-sandbox{digest[:24]}"
        return Completion(_body(identifier, model, content, finish, usage), usage)

    async def handle(self, request: web.Request) -> web.Response:
        """Serve one ``POST /v1/chat/completions``."""
        self.requests += 1
        if not request.headers.get("Authorization", "").removeprefix("Bearer ").strip():
            return openai_error(401, _NO_KEY, "invalid_request_error")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return openai_error(400, "the body is not JSON", "invalid_request_error")
        try:
            completion = self.complete(body)
        except ValueError as exc:
            return openai_error(400, str(exc), "invalid_request_error")
        return web.json_response(completion.body)


def openai_error(
    status: int,
    message: str,
    kind: str,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """An error response in OpenAI's shape: ``{"error": {message, type, param, code}}``."""
    error = {"message": message, "type": kind, "param": None, "code": code}
    return web.json_response({"error": error}, status=status, headers=headers)


def _is_message(message: object) -> bool:
    return (
        isinstance(message, dict)
        and isinstance(message.get("role"), str)
        and isinstance(message.get("content"), str)
        and all(isinstance(value, str) for value in message.values())
    )


def _answer(request: _Request) -> tuple[str, int, str]:
    """The answer's text, its tokens and its finish reason (``length`` when cut)."""
    model, limit = request.model, request.max_completion_tokens
    content = json.dumps(enrichment_answer(request.job), ensure_ascii=False)
    tokens = count_tokens(content, model)
    if tokens <= limit:
        return content, tokens, "stop"
    return truncate_to_tokens(content, limit, model), limit, "length"


def _reasoning(model: str, room: int, draws: random.Random) -> int:
    """Reasoning tokens of a reasoning model: whole blocks, a long tail, at most ``room``."""
    if not model.startswith(_REASONING_FAMILIES):
        return 0
    blocks = int(draws.expovariate(1 / _REASONING_MEAN_BLOCKS))
    return min(blocks * _REASONING_BLOCK_TOKENS, room)


def _prompt_usage(request: _Request, draws: random.Random) -> tuple[int, int, int]:
    """The counted prompt, the billed prompt and its cached part."""
    model, schema = request.model, request.response_format
    counted = count_chat_tokens(request.messages, model, schema)
    prompt = draws.randint(
        max(counted - _RENDERING_FEWER_TOKENS, 1), reserved_prompt_tokens(counted)
    )
    cached = 0
    if prompt >= _CACHE_MIN_PROMPT_TOKENS and draws.random() < _CACHE_HIT_RATE:
        shared = count_chat_tokens(request.messages[:-1], model, schema)
        cached = min(shared, prompt) // _CACHE_BLOCK_TOKENS * _CACHE_BLOCK_TOKENS
    return counted, prompt, cached


def _body(
    identifier: str, model: str, content: str, finish: str, usage: ChatUsage
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content,
        "refusal": None,
        "annotations": [],
    }
    return {
        "id": identifier,
        "object": "chat.completion",
        "created": _CREATED,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage.to_dict(),
        "service_tier": "default",
        "system_fingerprint": None,
    }
