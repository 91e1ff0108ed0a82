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

The Batch API (#11) is served too (:class:`BatchEndpoints`): ``POST /v1/files`` (upload),
``GET /v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches/{id}`` and
``POST /v1/batches/{id}/cancel``. A batch runs its lines through the same chat endpoint
once ``delay_seconds`` have passed since it was created (read on retrieve); ``outcome``
switches on a failed batch (nothing run) or an expired one (half its lines run, the rest
in the error file as ``batch_expired``). Each line that ran is billed: ``billed`` keeps
their usage, so a test compares the ledger with the server's bill. ``create_fault``
switches on a refused create (``error``: a 500, no batch) or a lost answer (``lost``: the
batch is created, its response never sent).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
from aiohttp import web

from jobping.budget import (
    count_chat_tokens,
    count_tokens,
    reserved_prompt_tokens,
    truncate_to_tokens,
)
from jobping.sandbox._answers import enrichment_answer

__all__ = [
    "BATCH_FILE_MAX_BYTES",
    "CHAT_PATH",
    "BatchEndpoints",
    "ChatCompletions",
    "ChatUsage",
    "Completion",
    "openai_error",
]

CHAT_PATH = "/v1/chat/completions"
BATCH_FILE_MAX_BYTES = 200 * 1024 * 1024
"""The largest upload (a batch's JSONL file) taken, as OpenAI's limit."""
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
        self.batches = BatchEndpoints(self)
        """The Batch API over this endpoint (files and batches)."""

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
        if (refused := _refuse(request)) is not None:
            return refused
        try:
            body = json.loads(await request.text())
        except ValueError:
            return openai_error(400, "the body is not JSON", "invalid_request_error")
        try:
            completion = self.complete(body)
        except ValueError as exc:
            return openai_error(400, str(exc), "invalid_request_error")
        return web.json_response(completion.body)


@dataclass(slots=True)
class _Batch:
    """One batch as the sandbox keeps it."""

    number: int
    input_file_id: str
    requests: list[dict[str, Any]]
    started: float
    status: str = "in_progress"
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def batch_id(self) -> str:
        return f"batch_sandbox{self.number:06d}"


class BatchEndpoints:
    """``/v1/files`` and ``/v1/batches`` over a :class:`ChatCompletions` (see the module)."""

    def __init__(
        self, chat: ChatCompletions, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._chat = chat
        self.clock = clock
        """Seconds (monotonic), for the completion delay."""
        self.delay_seconds = 0.0
        """How long after its creation a batch is finished (on its next retrieve)."""
        self.outcome = "completed"
        """What a batch becomes once finished: ``completed``, ``failed`` or ``expired``."""
        self.create_fault: str | None = None
        """None, ``error`` (creating answers 500) or ``lost`` (created, never answered)."""
        self.files: dict[str, bytes] = {}
        self.billed: list[ChatUsage] = []
        """The usage of every batch line that ran (and was billed)."""
        self._batches: dict[str, _Batch] = {}

    def __repr__(self) -> str:
        return f"<BatchEndpoints batches={len(self._batches)} billed={len(self.billed)}>"

    def add_routes(self, app: web.Application) -> None:
        """Serve the files and batches endpoints on ``app``."""
        app.router.add_post("/v1/files", self._upload)
        app.router.add_get("/v1/files/{file_id}/content", self._content)
        app.router.add_post("/v1/batches", self._create)
        app.router.add_get("/v1/batches/{batch_id}", self._retrieve)
        app.router.add_post("/v1/batches/{batch_id}/cancel", self._cancel)

    def _save_file(self, data: bytes) -> str:
        file_id = f"file-sandbox{len(self.files):06d}"
        self.files[file_id] = data
        return file_id

    async def _upload(self, request: web.Request) -> web.Response:
        if (refused := _refuse(request)) is not None:
            return refused
        form = await request.post()
        upload, purpose = form.get("file"), form.get("purpose")
        if not isinstance(upload, web.FileField):
            return openai_error(400, "file: expected a file upload", "invalid_request_error")
        if purpose != "batch":
            return openai_error(400, "purpose: the sandbox takes 'batch'", "invalid_request_error")
        data = upload.file.read()
        file_id = self._save_file(data)
        body = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": _CREATED,
            "filename": upload.filename,
            "purpose": "batch",
            "status": "processed",
        }
        return web.json_response(body)

    async def _content(self, request: web.Request) -> web.Response:
        if (refused := _refuse(request)) is not None:
            return refused
        data = self.files.get(request.match_info["file_id"])
        if data is None:
            return openai_error(404, "no such file", "invalid_request_error")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _create(self, request: web.Request) -> web.Response:
        if (refused := _refuse(request)) is not None:
            return refused
        try:
            body = json.loads(await request.text())
            file_id = body["input_file_id"]
            if body.get("endpoint") != CHAT_PATH or body.get("completion_window") != "24h":
                raise ValueError(f"endpoint must be {CHAT_PATH}, completion_window 24h")
            data = self.files[file_id]
            requests = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        except (ValueError, KeyError, TypeError) as exc:
            return openai_error(400, f"not a batch request: {exc}", "invalid_request_error")
        if self.create_fault == "error":
            return openai_error(500, "the sandbox refuses this batch", "server_error")
        batch = _Batch(len(self._batches), file_id, requests, self.clock())
        self._batches[batch.batch_id] = batch
        if self.create_fault == "lost":
            await anyio.sleep_forever()  # the client times out; the batch exists
        return web.json_response(self._body(batch))

    async def _retrieve(self, request: web.Request) -> web.Response:
        if (refused := _refuse(request)) is not None:
            return refused
        batch = self._batches.get(request.match_info["batch_id"])
        if batch is None:
            return openai_error(404, "no such batch", "invalid_request_error")
        if batch.status == "in_progress" and self.clock() - batch.started >= self.delay_seconds:
            self._finish(batch)
        return web.json_response(self._body(batch))

    async def _cancel(self, request: web.Request) -> web.Response:
        if (refused := _refuse(request)) is not None:
            return refused
        batch = self._batches.get(request.match_info["batch_id"])
        if batch is None:
            return openai_error(404, "no such batch", "invalid_request_error")
        if batch.status == "in_progress":
            self._finish(batch, run=0, status="cancelled")
        return web.json_response(self._body(batch))

    def _finish(self, batch: _Batch, *, run: int | None = None, status: str | None = None) -> None:
        """Run the batch's first ``run`` lines (by ``outcome``), write its files."""
        outcome = status or self.outcome
        if outcome == "failed":
            batch.status = "failed"
            error = {"code": "sandbox_failure", "message": "the sandbox fails this batch"}
            batch.errors.append(error | {"line": None, "param": None})
            return
        if run is None:
            run = len(batch.requests) // 2 if outcome == "expired" else len(batch.requests)
        output, errors = [], []
        for index, line in enumerate(batch.requests):
            custom_id = line.get("custom_id")
            record = {"id": f"batch_req_{batch.number}_{index}", "custom_id": custom_id}
            if index >= run:
                code = "batch_expired" if outcome == "expired" else "batch_cancelled"
                error = {"code": code, "message": f"this request was not run ({outcome})"}
                errors.append(record | {"response": None, "error": error})
                continue
            try:
                completion = self._chat.complete(line.get("body"))
            except ValueError as exc:
                body = {"error": {"message": str(exc), "type": "invalid_request_error"}}
                response = {"status_code": 400, "request_id": record["id"], "body": body}
                errors.append(record | {"response": response, "error": None})
                continue
            self.billed.append(completion.usage)
            response = {"status_code": 200, "request_id": record["id"], "body": completion.body}
            output.append(record | {"response": response, "error": None})
        batch.status = outcome
        batch.counts = {"total": len(batch.requests), "completed": len(output)}
        batch.counts["failed"] = len(errors)
        if output:
            batch.output_file_id = self._save_file(_jsonl(output))
        if errors:
            batch.error_file_id = self._save_file(_jsonl(errors))

    def _body(self, batch: _Batch) -> dict[str, Any]:
        counts = batch.counts or {"total": len(batch.requests), "completed": 0, "failed": 0}
        return {
            "id": batch.batch_id,
            "object": "batch",
            "endpoint": CHAT_PATH,
            "errors": {"object": "list", "data": batch.errors} if batch.errors else None,
            "input_file_id": batch.input_file_id,
            "completion_window": "24h",
            "status": batch.status,
            "output_file_id": batch.output_file_id,
            "error_file_id": batch.error_file_id,
            "created_at": _CREATED,
            "request_counts": counts,
            "metadata": None,
        }


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _refuse(request: web.Request) -> web.Response | None:
    """OpenAI's 401 for a request without a bearer key, else None."""
    if not request.headers.get("Authorization", "").removeprefix("Bearer ").strip():
        return openai_error(401, _NO_KEY, "invalid_request_error")
    return None


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
