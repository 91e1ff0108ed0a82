"""Enricher: one structured-output call per job, under the TokenBudget. The only openai import.

For each job: build the prompt (description cut to ``OPENAI_DESCRIPTION_TOKEN_CAP``), count
it with tiktoken per model, reserve the worst case of the first model of the chain that the
budget allows (``TokenBudget.reserve_in_chain``), call, commit the real ``usage`` (also for
an answer that turns out invalid: it was billed), then validate the answer.

Retries: rate limits (429), timeouts, connection errors and 5xx are retried here, up to
``OPENAI_RETRY_ATTEMPTS`` attempts with jittered backoff (or the server's ``Retry-After``),
capped at ``RETRY_WAIT_CAP_SECONDS``; the reservation stays held across them. The SDK's
own retries are off (``max_retries=0``), so nothing is retried twice. A 429 whose code is
``insufficient_quota``, and a rejected key (401/403), are terminal: ``EnrichmentUnavailable``
stops the run's enrichment. A failed call releases its reservation: the provider's errors
say nothing of what was billed, and a call that failed before an answer is not billed.

Every openai error becomes a ``jobping.errors`` error here, with the class, status, code
and the message redacted. The SDK's exception is not chained (``from None``): a provider's
message can quote the API key (OpenAI's 401 does), and a chained cause reaches any log
line or traceback that shows the error.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, cast

import anyio
import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat

from jobping._retry import parse_retry_after, retrying, wait_retry_after
from jobping.budget import (
    RETRY_WAIT_CAP_SECONDS,
    Reservation,
    TokenBudget,
    Usage,
    count_chat_tokens,
    encoding_name_for_model,
)
from jobping.enrich._prompt import build_messages
from jobping.enrich._schema import RESPONSE_FORMAT, parse_answer
from jobping.errors import (
    BudgetExhausted,
    EnrichmentError,
    EnrichmentUnavailable,
    MissingCredential,
)
from jobping.models import Enrichment, Job
from jobping.redact import preview
from jobping.settings import Settings
from jobping.store import Store

__all__ = ["ClientFactory", "EnrichReport", "Enriched", "Enricher"]

log = logging.getLogger("jobping.enrich")

ClientFactory = Callable[[], openai.AsyncOpenAI]
"""Makes the SDK client (the Enricher turns its retries off)."""
_BACKOFF_BASE_SECONDS = 1.0
_MAX_ERRORS_KEPT = 20
_NO_CREDIT = "insufficient_quota"
_TRANSIENT = (
    openai.RateLimitError,
    openai.APIConnectionError,
    openai.InternalServerError,
    TimeoutError,
)
"""Errors worth another attempt (a 429 without credit is re-raised as terminal first)."""


@dataclass(frozen=True, slots=True)
class Enriched:
    """One job's enrichment, the model that made it, and what the call cost (µUSD)."""

    enrichment: Enrichment
    model: str
    micro_usd: int


@dataclass(slots=True)
class EnrichReport:
    """What a batch of enrichments did."""

    enriched: int = 0
    skipped: int = 0
    """Jobs left in the backlog because no model fitted the budget."""
    failed: int = 0
    by_model: dict[str, int] = field(default_factory=dict)
    micro_usd: int = 0
    """What the calls cost, invalid answers included."""
    errors: list[str] = field(default_factory=list)
    """The first messages of the failures (already redacted)."""
    stopped: str | None = None
    """Why enrichment stopped early (the provider refuses every call), or None."""

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "enriched": self.enriched,
            "skipped": self.skipped,
            "failed": self.failed,
            "by_model": dict(sorted(self.by_model.items())),
            "cost_usd": self.micro_usd / 1_000_000,
            "errors": list(self.errors),
            "stopped": self.stopped,
        }


class Enricher:
    """Enriches jobs with the OpenAI chat API (or a compatible server) within the budget."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        budget: TokenBudget,
        *,
        client_factory: ClientFactory | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        key = settings.openai_api_key
        if key is None or not key.get_secret_value():
            raise MissingCredential("OPENAI_API_KEY")
        self._settings = settings
        self._store = store
        self._budget = budget
        self._secrets = settings.secret_values()
        factory = client_factory or (lambda: _default_client(settings))
        self._client = factory().with_options(max_retries=0)
        self._sleep = sleep
        self._jitter = jitter
        for model, retired in budget.prices.retired_models(
            settings.openai_models, budget.clock().astimezone(budget.tz).date()
        ):
            log.warning("%s was shut down on %s: update OPENAI_MODELS", model, retired)

    def __repr__(self) -> str:
        return f"<Enricher models={self._settings.openai_models}>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()

    async def enrich(self, job: Job) -> Enriched:
        """Enrich one job under the budget (the store is not written).

        Raises:
            BudgetExhausted: no model of the chain fits the budget now.
            EnrichmentError: the answer is invalid, or the call failed after its retries.
            EnrichmentUnavailable: the provider refuses every call.
        """
        completion, model, cost = await self._call(job)
        return Enriched(_answer(completion, model), model, cost)

    async def enrich_backlog(self, *, limit: int) -> EnrichReport:
        """Enrich up to ``limit`` jobs of the store's backlog (newest first) and save them."""
        return await self.enrich_jobs(await self._store.jobs_needing_enrichment(limit=limit))

    async def enrich_jobs(self, jobs: Sequence[Job]) -> EnrichReport:
        """Enrich ``jobs`` concurrently (``OPENAI_CONCURRENCY`` at once) and save each result.

        A skipped job stays in the backlog; a failed one counts one more failure; when the
        provider refuses every call, the calls in flight are cancelled and the rest skipped.

        Raises:
            StoreError: the store failed (the first error; the other calls are cancelled).
        """
        report = EnrichReport()
        limiter = anyio.CapacityLimiter(self._settings.openai_concurrency)
        try:
            async with anyio.create_task_group() as group:
                for job in jobs:
                    scope = group.cancel_scope
                    group.start_soon(self._enrich_and_save, job, report, limiter, scope)
        except BaseExceptionGroup as errors:
            raise _first(errors) from None
        return report

    async def _enrich_and_save(
        self,
        job: Job,
        report: EnrichReport,
        limiter: anyio.CapacityLimiter,
        scope: anyio.CancelScope,
    ) -> None:
        async with limiter:
            try:
                completion, model, cost = await self._call(job)
                report.micro_usd += cost
                enrichment = _answer(completion, model)
            except BudgetExhausted:
                report.skipped += 1
                return
            except EnrichmentUnavailable as exc:
                report.stopped = str(exc)
                log.error("enrichment stopped: %s", exc)
                scope.cancel()
                return
            except EnrichmentError as exc:
                report.failed += 1
                if len(report.errors) < _MAX_ERRORS_KEPT:
                    report.errors.append(f"{job.job_hash}: {exc}")
                log.warning("enrichment of %s failed: %s", job.job_hash, exc)
                await self._store.record_enrichment_failure(job.job_hash)
                return
            now = self._budget.clock()
            await self._store.save_enrichment(job.job_hash, enrichment, model=model, now=now)
            report.enriched += 1
            report.by_model[model] = report.by_model.get(model, 0) + 1

    async def _call(self, job: Job) -> tuple[ChatCompletion, str, int]:
        """Reserve, call, commit: the completion, the model used and the cost (µUSD)."""
        settings = self._settings
        chain = settings.openai_models
        messages = build_messages(
            job, description_token_cap=settings.openai_description_token_cap, model=chain[0]
        )
        reservation = await self._budget.reserve_in_chain(
            chain,
            _prompt_counter(messages),
            settings.openai_max_output_tokens,
            fallback=settings.openai_enable_fallback,
        )
        try:
            completion = await self._create(reservation.model, messages)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._budget.release(reservation)
            raise
        with anyio.CancelScope(shield=True):
            cost = await self._budget.commit(reservation, _usage(completion, reservation))
        return completion, reservation.model, cost

    async def _create(self, model: str, messages: list[dict[str, str]]) -> ChatCompletion:
        """One call, retried on rate limits, timeouts, connection errors and 5xx."""
        attempts = self._settings.openai_retry_attempts
        controller = retrying(
            attempts=attempts,
            wait=wait_retry_after(
                self._retry_after,
                base=_BACKOFF_BASE_SECONDS,
                cap=RETRY_WAIT_CAP_SECONDS,
                random=self._jitter,
            ),
            retry=lambda exc: isinstance(exc, _TRANSIENT),
            sleep=self._sleep,
        )
        try:
            return await controller(self._attempt, model, messages)
        except _TRANSIENT as exc:
            message = f"gave up after {attempts} attempts: {self._describe(exc)}"
            raise EnrichmentError(message, model=model) from None

    async def _attempt(self, model: str, messages: list[dict[str, str]]) -> ChatCompletion:
        """One attempt; a transient error is raised as is, any other as a jobping error."""
        try:
            with anyio.fail_after(self._settings.openai_timeout_seconds):
                return await self._client.chat.completions.create(
                    model=model,
                    messages=cast("list[ChatCompletionMessageParam]", messages),
                    response_format=cast("ResponseFormat", RESPONSE_FORMAT),
                    max_completion_tokens=self._settings.openai_max_output_tokens,
                )
        except openai.RateLimitError as exc:
            if _NO_CREDIT in (exc.code, exc.type):
                raise EnrichmentUnavailable(self._describe(exc), model=model) from None
            raise
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise EnrichmentUnavailable(self._describe(exc), model=model) from None
        except _TRANSIENT:
            raise
        except openai.OpenAIError as exc:
            raise EnrichmentError(self._describe(exc), model=model) from None

    def _retry_after(self, exc: BaseException | None) -> float | None:
        """Seconds a rate-limited attempt's server asked to wait, if it said."""
        if isinstance(exc, openai.APIStatusError):
            return parse_retry_after(exc.response.headers, self._budget.clock())
        return None

    def _describe(self, exc: Exception) -> str:
        """An error's class, status and code, and its message with every secret redacted."""
        if isinstance(exc, TimeoutError):
            return f"no answer within {self._settings.openai_timeout_seconds:g} s"
        parts = [type(exc).__name__]
        if isinstance(exc, openai.APIStatusError):
            parts.append(str(exc.status_code))
        if isinstance(exc, openai.APIError) and exc.code:
            parts.append(exc.code)
        message = preview(str(exc), 300, self._secrets)
        return f"{' '.join(parts)}: {message}"


def _first(errors: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first error of a (nested) exception group: what stopped the batch."""
    first = errors.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


def _default_client(settings: Settings) -> openai.AsyncOpenAI:
    key = settings.openai_api_key
    return openai.AsyncOpenAI(
        api_key=key.get_secret_value() if key else None,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=0,
    )


def _prompt_counter(messages: Sequence[Mapping[str, str]]) -> Callable[[str], int]:
    """Prompt tokens per model, counted once per tiktoken encoding."""
    counts: dict[str, int] = {}

    def count(model: str) -> int:
        encoding = encoding_name_for_model(model)
        if encoding not in counts:
            counts[encoding] = count_chat_tokens(messages, model, RESPONSE_FORMAT)
        return counts[encoding]

    return count


def _usage(completion: ChatCompletion, reservation: Reservation) -> Usage:
    """The billed usage; a server that reports none is charged the worst case."""
    usage = completion.usage
    if usage is None:
        log.warning("%s reported no usage: the worst case is committed", reservation.model)
        return reservation.worst_usage
    prompt, output = max(usage.prompt_tokens, 0), max(usage.completion_tokens, 0)
    prompt_details, output_details = usage.prompt_tokens_details, usage.completion_tokens_details
    cached = (prompt_details.cached_tokens or 0) if prompt_details else 0
    reasoning = (output_details.reasoning_tokens or 0) if output_details else 0
    return Usage(prompt, output, min(max(cached, 0), prompt), min(max(reasoning, 0), output))


def _answer(completion: ChatCompletion, model: str) -> Enrichment:
    """The validated enrichment in the completion, or EnrichmentError saying what is wrong."""
    if not completion.choices:
        raise EnrichmentError("the response has no answer", model=model)
    choice = completion.choices[0]
    if choice.message.refusal:
        raise EnrichmentError("the model refused to answer", model=model)
    if choice.finish_reason == "length":
        raise EnrichmentError("the answer was cut at max_completion_tokens", model=model)
    try:
        return parse_answer(choice.message.content or "")
    except ValueError as exc:
        raise EnrichmentError(f"invalid answer: {exc}", model=model) from None
