"""Enricher: one structured-output call per job, under the TokenBudget. The only openai import.

For each job (claimed first when it comes from the backlog, so no other process pays for
it): build the prompt (each field cut to its token cap, the cut marked), count it with
tiktoken per model, and for each attempt reserve the worst case of the first model of the
chain that the budget allows (``TokenBudget.reserve_in_chain``), call with
``max_completion_tokens`` set, and settle: an answer commits its real ``usage`` (also an
answer that turns out invalid: it was billed); an attempt that may have been billed without
its answer being read (a timeout, a connection lost after sending, a cancellation) commits
its whole reservation, "charged, answer lost"; a connection refused before sending, or an
error status, releases it (#11).

Retries: rate limits (429), timeouts, connection errors and 5xx are retried here, up to
``OPENAI_RETRY_ATTEMPTS`` attempts with jittered backoff (or the server's ``Retry-After``),
capped at ``RETRY_WAIT_CAP_SECONDS``; each attempt is reserved and settled on its own. The
SDK's own retries are off (``max_retries=0``), so nothing is retried twice. A 429 whose code
is ``insufficient_quota``, and a rejected key (401/403), are terminal:
``EnrichmentUnavailable`` stops the run's enrichment.

Every openai error becomes a ``jobping.errors`` error here, with the class, status, code
and the message redacted. The SDK's exception is not chained (``from None``): a provider's
message can quote the API key (OpenAI's 401 does), and a chained cause reaches any log
line or traceback that shows the error.

The Batch API path (``_batch``) reaches the provider through ``_SdkBatches`` here, so this
stays the only module that imports openai.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Self, cast

import anyio
import httpx2
import openai
import pydantic
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat

from jobping._retry import parse_retry_after, retrying, wait_retry_after
from jobping.budget import RETRY_WAIT_CAP_SECONDS, Reservation, TokenBudget, Usage
from jobping.enrich._batch import (
    BATCH_HOLD_SECONDS,
    CHAT_ENDPOINT,
    BatchMayExist,
    BatchPath,
    LineAnswer,
    RemoteBatch,
)
from jobping.enrich._prompt import build_messages, prompt_counter
from jobping.enrich._report import EnrichReport
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
class _Spend:
    """What the attempts of one call were charged, and the model of the last one."""

    micro_usd: int = 0
    model: str | None = None


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
        batch: bool = False,
    ) -> None:
        """``batch``: :meth:`enrich_backlog` sends the backlog through the Batch API."""
        key = settings.openai_api_key
        if key is None or not key.get_secret_value():
            raise MissingCredential("OPENAI_API_KEY")
        self._settings = settings
        self._store = store
        self._budget = budget
        self._secrets = settings.secret_values()
        factory = client_factory or (lambda: _default_client(settings))
        self._client = factory().with_options(max_retries=0)
        self._holder = f"enricher-{uuid.uuid4().hex}"
        self._sleep = sleep
        self._jitter = jitter
        self._batch = batch
        api = _SdkBatches(self._client, self._failure)
        self._batches = BatchPath(settings, store, budget, api, holder=self._holder)
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
        spend = _Spend()
        completion, model = await self._call(job, spend)
        return Enriched(_answer(completion, model), model, spend.micro_usd)

    async def enrich_backlog(self, *, limit: int) -> EnrichReport:
        """Collect the finished batches, then claim up to ``limit`` jobs of the backlog.

        The claimed jobs (newest first) are enriched and saved, or with ``batch`` sent as
        one Batch API batch. The claim (``OPENAI_CLAIM_TTL_SECONDS``, a batch's window for
        a batch) keeps other processes off these jobs, so no job is paid for twice; the
        claims of the jobs neither saved, failed nor sent (skipped, cancelled) are released
        at the end.
        """
        report = EnrichReport()
        await self._batches.collect(report)
        ttl = BATCH_HOLD_SECONDS if self._batch else self._settings.openai_claim_ttl_seconds
        jobs = await self._store.claim_enrichment(
            self._holder, limit=limit, ttl_seconds=ttl, now=self._budget.clock()
        )
        sent: set[str] = set()
        try:
            if self._batch:
                sent = await self._batches.submit(jobs, report)
            else:
                await self._enrich_into(jobs, report)
        finally:
            with anyio.CancelScope(shield=True):
                hashes = [job.job_hash for job in jobs if job.job_hash not in sent]
                await self._store.release_enrichment_claims(self._holder, hashes)
        return report

    async def enrich_jobs(self, jobs: Sequence[Job]) -> EnrichReport:
        """Enrich ``jobs`` concurrently (``OPENAI_CONCURRENCY`` at once) and save each result.

        A skipped job stays in the backlog; a failed one counts one more failure; when the
        provider refuses every call, the calls in flight are cancelled and the rest skipped.

        Raises:
            StoreError: the store failed (the first error; the other calls are cancelled).
        """
        report = EnrichReport()
        await self._enrich_into(jobs, report)
        return report

    async def _enrich_into(self, jobs: Sequence[Job], report: EnrichReport) -> None:
        """:meth:`enrich_jobs`, counted in ``report``."""
        limiter = anyio.CapacityLimiter(self._settings.openai_concurrency)
        try:
            async with anyio.create_task_group() as group:
                for job in jobs:
                    scope = group.cancel_scope
                    group.start_soon(self._enrich_and_save, job, report, limiter, scope)
        except BaseExceptionGroup as errors:
            raise _first(errors) from None

    async def _enrich_and_save(
        self,
        job: Job,
        report: EnrichReport,
        limiter: anyio.CapacityLimiter,
        scope: anyio.CancelScope,
    ) -> None:
        async with limiter:
            spend = _Spend()
            try:
                completion, model = await self._call(job, spend)
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
                report.record_failure(f"{job.job_hash}: {exc}")
                log.warning("enrichment of %s failed: %s", job.job_hash, exc)
                await self._store.record_enrichment_failure(job.job_hash)
                return
            finally:
                report.micro_usd += spend.micro_usd
            now = self._budget.clock()
            await self._store.save_enrichment(job.job_hash, enrichment, model=model, now=now)
            report.enriched += 1
            report.by_model[model] = report.by_model.get(model, 0) + 1

    async def _call(self, job: Job, spend: _Spend) -> tuple[ChatCompletion, str]:
        """Reserve, call, charge, per attempt: the completion and the model.

        What every attempt was charged (lost answers included) adds up in ``spend``, also
        when the call fails.
        """
        settings = self._settings
        messages = build_messages(
            job,
            description_token_cap=settings.openai_description_token_cap,
            model=settings.openai_models[0],
        )
        attempts = settings.openai_retry_attempts
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
            answered: tuple[ChatCompletion, str] = await controller(
                self._attempt, messages, prompt_counter(messages), spend
            )
        except _TRANSIENT as exc:
            message = f"gave up after {attempts} attempts: {self._describe(exc)}"
            raise EnrichmentError(message, model=spend.model) from None
        return answered

    async def _attempt(
        self,
        messages: list[dict[str, str]],
        count: Callable[[str], int],
        spend: _Spend,
    ) -> tuple[ChatCompletion, str]:
        """One attempt under its own reservation, charged if it may have been billed.

        A transient error is raised as is (the next attempt reserves again), any other as a
        jobping error. An answer that came back is committed at its reported usage; an
        attempt that may have reached the provider without its answer being read (a
        timeout, a connection lost after sending, a cancellation) is committed at its whole
        reservation ("charged, answer lost"); one refused before sending, or answered with
        an error status, is released.
        """
        settings = self._settings
        reservation = await self._budget.reserve_in_chain(
            settings.openai_models,
            count,
            settings.openai_max_output_tokens,
            fallback=settings.openai_enable_fallback,
        )
        model = spend.model = reservation.model
        try:
            with anyio.fail_after(settings.openai_timeout_seconds):
                completion = await self._client.chat.completions.create(
                    model=model,
                    messages=cast("list[ChatCompletionMessageParam]", messages),
                    response_format=cast("ResponseFormat", RESPONSE_FORMAT),
                    max_completion_tokens=settings.openai_max_output_tokens,
                )
        except BaseException as exc:
            with anyio.CancelScope(shield=True):
                if _may_be_billed(exc):
                    log.warning("%s: charged, answer lost (%s)", model, type(exc).__name__)
                    lost = reservation.worst_usage
                    spend.micro_usd += await self._budget.commit(
                        reservation, lost, answer_lost=True
                    )
                else:
                    await self._budget.release(reservation)
            if isinstance(exc, Exception):
                raise self._error(exc, model) from None
            raise
        with anyio.CancelScope(shield=True):
            spend.micro_usd += await self._budget.commit(
                reservation, _usage(completion, reservation)
            )
        return completion, model

    def _error(self, exc: Exception, model: str | None) -> Exception:
        """What a failed attempt raises: a transient error as is, any other a jobping error."""
        if isinstance(exc, openai.RateLimitError) and _NO_CREDIT in (exc.code, exc.type):
            return EnrichmentUnavailable(self._describe(exc), model=model)
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return EnrichmentUnavailable(self._describe(exc), model=model)
        if isinstance(exc, _TRANSIENT) or not isinstance(exc, openai.OpenAIError):
            return exc
        return EnrichmentError(self._describe(exc), model=model)

    def _failure(self, exc: openai.OpenAIError) -> EnrichmentError:
        """A Batch API call's SDK error as a jobping error (a transient one too)."""
        error = self._error(exc, None)
        return error if isinstance(error, EnrichmentError) else EnrichmentError(self._describe(exc))

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


class _SdkBatches:
    """The Batch API (``/v1/files``, ``/v1/batches``) through the SDK, for ``BatchPath``."""

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        failure: Callable[[openai.OpenAIError], EnrichmentError],
    ) -> None:
        self._client = client
        self._failure = failure

    async def upload(self, name: str, jsonl: bytes) -> str:
        """Upload a batch's JSONL file; its id."""
        try:
            uploaded = await self._client.files.create(
                file=(name, jsonl, "application/jsonl"), purpose="batch"
            )
        except openai.OpenAIError as exc:
            raise self._failure(exc) from None
        return uploaded.id

    async def create(self, file_id: str) -> str:
        """Create the batch of an uploaded file (24 h window); its id.

        An error that may have reached the provider (``_may_be_billed``) is ``BatchMayExist``.
        """
        try:
            batch = await self._client.batches.create(
                completion_window="24h", endpoint=CHAT_ENDPOINT, input_file_id=file_id
            )
        except openai.OpenAIError as exc:
            failure = self._failure(exc)
            if _may_be_billed(exc):
                raise BatchMayExist(str(failure)) from None
            raise failure from None
        return batch.id

    async def retrieve(self, batch_id: str) -> RemoteBatch:
        """The batch's status and result files."""
        try:
            batch = await self._client.batches.retrieve(batch_id)
        except openai.OpenAIError as exc:
            raise self._failure(exc) from None
        return RemoteBatch(batch.status, batch.output_file_id, batch.error_file_id)

    async def file_text(self, file_id: str) -> str:
        """A file's content."""
        try:
            return (await self._client.files.content(file_id)).text
        except openai.OpenAIError as exc:
            raise self._failure(exc) from None

    def read(self, body: object, reservation: Reservation) -> LineAnswer:
        """An answered line's chat completion: its usage, and its enrichment or problem."""
        try:
            completion = ChatCompletion.model_validate(body)
        except pydantic.ValidationError:
            raise ValueError("the answer is not a chat completion") from None
        usage = _usage(completion, reservation)
        try:
            return LineAnswer(usage, _answer(completion, reservation.model))
        except EnrichmentError as exc:
            return LineAnswer(usage, None, str(exc))


def _may_be_billed(exc: BaseException) -> bool:
    """Whether a failed attempt may have reached the provider and been billed.

    Not billed: an error status the server answered with, and a connection refused before
    the request was sent. Everything else (timeouts, a connection lost mid-answer, a
    cancellation, an answer we could not read) may have been.
    """
    if isinstance(exc, openai.APIStatusError):
        return False
    return not (
        isinstance(exc, openai.APIConnectionError)
        and not isinstance(exc, openai.APITimeoutError)
        and isinstance(exc.__cause__, httpx2.ConnectError)
    )


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
