"""The Batch API path of enrichment (#11): submit the claimed backlog, collect finished batches.

Submit: each claimed job's request is the synchronous path's (same prompt, strict answer
schema, ``max_completion_tokens``) as one JSONL line whose ``custom_id`` is the job's hash.
Each line's worst case is reserved at the model's batch rates (the first line picks the
model of the chain, a batch has one model), until the budget refuses; the file goes to
``/v1/files``, the batch to ``/v1/batches`` (24 h window), and the batch with every line's
hold is recorded in the store. If the upload or the batch is refused, the holds are
released; if the batch may have been created without us knowing its id (a timeout, a
connection lost after sending, a cancellation), every line is charged its hold, "answer
lost", as a synchronous call would be: the ledger is never below the bill. Holds and
claims last the window and an hour more, so neither expires while the provider may still
bill, and no synchronous call pays for a job of a batch.

Collect: a batch the provider finished (completed, expired, failed or cancelled) is taken
by one collector (a compare-and-set on its state in the store); each answered line commits
its reported usage at the batch rates (an answer that turns out invalid was billed: it is
committed and the job counts a failure, as on the synchronous path); a line answered with
an error status is released and counts a failure; a line never run (the batch expired,
failed or was cancelled) is released and its job goes back to the backlog. Then the
batch's final state and cost are recorded.

The provider is reached through a :class:`BatchApi` (the SDK's, in ``_enricher``: the only
module that imports openai).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import anyio

from jobping.budget import Reservation, TokenBudget, Usage, WorstCase
from jobping.enrich._prompt import build_messages, prompt_counter
from jobping.enrich._report import EnrichReport
from jobping.enrich._schema import RESPONSE_FORMAT
from jobping.errors import BudgetExhausted, EnrichmentError, EnrichmentUnavailable
from jobping.models import Enrichment, Job
from jobping.settings import Settings
from jobping.store import BATCH_STATES, BatchLine, BudgetHold, EnrichmentBatch, Store

__all__ = [
    "BATCH_HOLD_SECONDS",
    "CHAT_ENDPOINT",
    "BatchApi",
    "BatchMayExist",
    "BatchPath",
    "LineAnswer",
    "RemoteBatch",
]

log = logging.getLogger("jobping.enrich")

BATCH_WINDOW_SECONDS = 24 * 3600.0
"""The completion window asked for: the provider runs or expires a batch within it."""
BATCH_HOLD_SECONDS = BATCH_WINDOW_SECONDS + 3600.0
"""How long a batch's holds and claims last: its window, and an hour to collect it."""
_TAKE_SECONDS = 900.0
"""How long a collector's take of a batch lasts (a crashed collector's is taken over)."""
CHAT_ENDPOINT: Final = "/v1/chat/completions"
"""The endpoint of every batch line (and of the batch)."""
_FINAL = frozenset(BATCH_STATES) - {"submitted"}
"""The provider's statuses of a finished batch (ours: each is a final state)."""
_OPEN_BATCHES = 1000


@dataclass(frozen=True, slots=True)
class RemoteBatch:
    """A batch as the provider reports it."""

    status: str
    output_file_id: str | None
    error_file_id: str | None


@dataclass(frozen=True, slots=True)
class LineAnswer:
    """One answered line: its billed usage, and its enrichment or why it is not valid."""

    usage: Usage
    enrichment: Enrichment | None
    problem: str | None = None


class BatchMayExist(EnrichmentError):
    """Creating the batch failed in a way that may have created it (its id unknown)."""


class BatchApi(Protocol):
    """The provider's files and batches. Each call raises ``EnrichmentError`` (redacted)."""

    async def upload(self, name: str, jsonl: bytes) -> str:
        """Upload a batch's JSONL file; its id."""
        ...

    async def create(self, file_id: str) -> str:
        """Create the batch of an uploaded file (24 h window); its id.

        Raises:
            BatchMayExist: the request may have reached the provider (a timeout, ...).
        """
        ...

    async def retrieve(self, batch_id: str) -> RemoteBatch:
        """The batch's status and result files."""
        ...

    async def file_text(self, file_id: str) -> str:
        """A file's content."""
        ...

    def read(self, body: object, reservation: Reservation) -> LineAnswer:
        """An answered line's body (a chat completion); ``ValueError`` if unreadable."""
        ...


class BatchPath:
    """Submits claimed jobs as one batch and collects the finished batches of the store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        budget: TokenBudget,
        api: BatchApi,
        *,
        holder: str,
    ) -> None:
        self._settings = settings
        self._store = store
        self._budget = budget
        self._api = api
        self._holder = holder

    async def submit(self, jobs: Sequence[Job], report: EnrichReport) -> set[str]:
        """Send ``jobs`` (claimed for the batch's time) as one batch; the hashes sent.

        The jobs the budget refuses are left out (``report.skipped``): their claims, and
        those of every job if the batch could not be sent, are the caller's to release.
        """
        lines: list[tuple[Job, Reservation]] = []
        creating = False
        try:
            requests = await self._reserve(jobs, lines, report)
            if not lines:
                return set()
            model = lines[0][1].model
            name = f"jobping-{model}-{uuid.uuid4().hex[:12]}.jsonl"
            file_id = await self._api.upload(name, ("\n".join(requests) + "\n").encode())
            creating = True
            batch_id = await self._api.create(file_id)
        except BaseException as exc:
            refused = isinstance(exc, EnrichmentError) and not isinstance(exc, BatchMayExist)
            with anyio.CancelScope(shield=True):
                await self._abandon(lines, report, may_exist=creating and not refused)
            if not isinstance(exc, EnrichmentError):
                raise
            if isinstance(exc, EnrichmentUnavailable):
                report.stopped = str(exc)
            report.errors.append(f"batch not submitted: {exc}")
            log.error("batch not submitted: %s", exc)
            return set()
        record = EnrichmentBatch(
            batch_id=batch_id,
            model=model,
            input_file_id=file_id,
            holder=self._holder,
            max_output_tokens=self._settings.openai_max_output_tokens,
            submitted_at=self._budget.clock(),
            expires_at=lines[0][1].hold.expires_at,
            lines=tuple(_line(job, reservation) for job, reservation in lines),
        )
        with anyio.CancelScope(shield=True):
            await self._store.save_batch(record)
        report.submitted += len(lines)
        report.batches_in_flight += 1
        log.info("batch %s: %d jobs sent to %s", batch_id, len(lines), model)
        return {job.job_hash for job, _ in lines}

    async def collect(self, report: EnrichReport) -> None:
        """Settle every batch of the store that the provider finished; count those in flight."""
        for batch in await self._store.enrichment_batches(open_only=True, limit=_OPEN_BATCHES):
            try:
                remote = await self._api.retrieve(batch.batch_id)
            except EnrichmentError as exc:
                report.errors.append(f"batch {batch.batch_id} not read: {exc}")
                log.warning("batch %s not read: %s", batch.batch_id, exc)
                continue
            if remote.status not in _FINAL:
                report.batches_in_flight += 1
                continue
            taken = await self._store.take_batch(
                batch.batch_id, self._holder, ttl_seconds=_TAKE_SECONDS, now=self._budget.clock()
            )
            if taken:  # else another process collects it
                with anyio.CancelScope(shield=True):
                    await self._settle(batch, remote, report)

    async def _abandon(
        self, lines: Sequence[tuple[Job, Reservation]], report: EnrichReport, *, may_exist: bool
    ) -> None:
        """Settle the holds of a batch not recorded: charged if it may exist, else released."""
        for _, reservation in lines:
            if may_exist:
                lost = reservation.worst_usage
                report.micro_usd += await self._budget.commit(reservation, lost, answer_lost=True)
            else:
                await self._budget.release(reservation)

    async def _reserve(
        self, jobs: Sequence[Job], reserved: list[tuple[Job, Reservation]], report: EnrichReport
    ) -> list[str]:
        """Hold each job's worst case at batch rates into ``reserved``; the JSONL lines.

        Stops where the budget refuses (the jobs left are counted skipped).
        """
        settings = self._settings
        ratios = await self._store.prompt_token_ratios()
        requests: list[str] = []
        for job in jobs:
            messages = build_messages(
                job,
                description_token_cap=settings.openai_description_token_cap,
                model=settings.openai_models[0],
            )
            count = prompt_counter(messages)
            try:
                reservation = await self._hold(reserved, count, ratios)
            except BudgetExhausted:
                report.skipped += len(jobs) - len(reserved)
                break
            reserved.append((job, reservation))
            requests.append(_request(job.job_hash, reservation.model, messages, settings))
        return requests

    async def _hold(
        self,
        reserved: Sequence[tuple[Job, Reservation]],
        count: Callable[[str], int],
        ratios: Mapping[str, float],
    ) -> Reservation:
        """The first line picks the model of the chain; the others hold the same model."""
        settings, budget = self._settings, self._budget
        limit = settings.openai_max_output_tokens
        if not reserved:
            return await budget.reserve_in_chain(
                settings.openai_models,
                count,
                limit,
                fallback=settings.openai_enable_fallback,
                batch=True,
                ttl_seconds=BATCH_HOLD_SECONDS,
            )
        model = reserved[0][1].model
        reservation = await budget.reserve(
            model,
            count(model),
            limit,
            ratio=ratios.get(model, 1.0),
            batch=True,
            ttl_seconds=BATCH_HOLD_SECONDS,
        )
        if reservation is None:
            raise BudgetExhausted("day", budget.resets_at("day", budget.clock()))
        return reservation

    async def _settle(
        self, batch: EnrichmentBatch, remote: RemoteBatch, report: EnrichReport
    ) -> None:
        """Commit what the batch's files bill, release the rest, record its final state."""
        records = await self._results(remote)
        micro_usd = 0
        for line in batch.lines:
            cost = await self._settle_line(batch, line, records.get(line.job_hash), report)
            micro_usd += cost
        report.micro_usd += micro_usd
        hashes = [line.job_hash for line in batch.lines]
        await self._store.release_enrichment_claims(batch.holder, hashes)
        finished = await self._store.finish_batch(
            batch.batch_id,
            self._holder,
            state=remote.status,
            micro_usd=micro_usd,
            now=self._budget.clock(),
        )
        log.info(
            "batch %s %s: %d µUSD committed (%s)",
            batch.batch_id,
            remote.status,
            micro_usd,
            "recorded" if finished else "another collector recorded it",
        )

    async def _results(self, remote: RemoteBatch) -> dict[str, dict[str, Any]]:
        """The lines of the batch's output and error files, by ``custom_id``."""
        records: dict[str, dict[str, Any]] = {}
        for file_id in (remote.output_file_id, remote.error_file_id):
            if not file_id:
                continue
            for text in (await self._api.file_text(file_id)).splitlines():
                if text.strip():
                    record = json.loads(text)
                    records[str(record.get("custom_id"))] = record
        return records

    async def _settle_line(
        self,
        batch: EnrichmentBatch,
        line: BatchLine,
        record: Mapping[str, Any] | None,
        report: EnrichReport,
    ) -> int:
        """Commit or release one line's hold and save its answer; what it was charged."""
        reservation = self._reservation(batch, line)
        response = record.get("response") if record else None
        if not isinstance(response, dict):  # never run: back to the backlog
            await self._budget.release(reservation)
            return 0
        if response.get("status_code") != 200:  # an error status is not billed
            await self._budget.release(reservation)
            self._failed(report, line.job_hash, f"error status {response.get('status_code')}")
            await self._store.record_enrichment_failure(line.job_hash)
            return 0
        try:
            answered = self._api.read(response.get("body"), reservation)
        except ValueError:
            cost = await self._budget.commit(reservation, reservation.worst_usage, answer_lost=True)
            self._failed(report, line.job_hash, "unreadable answer (charged its hold)")
            await self._store.record_enrichment_failure(line.job_hash)
            return cost
        cost = await self._budget.commit(reservation, answered.usage)
        if answered.enrichment is None:
            self._failed(report, line.job_hash, answered.problem or "no answer")
            await self._store.record_enrichment_failure(line.job_hash)
            return cost
        now = self._budget.clock()
        await self._store.save_enrichment(
            line.job_hash, answered.enrichment, model=batch.model, now=now
        )
        report.enriched += 1
        report.by_model[batch.model] = report.by_model.get(batch.model, 0) + 1
        return cost

    def _reservation(self, batch: EnrichmentBatch, line: BatchLine) -> Reservation:
        """The reservation of a line, as it was made when the batch was submitted."""
        budget = self._budget
        windows = budget.windows(batch.submitted_at)
        hold = BudgetHold(
            line.reservation_id, line.tokens, line.micro_usd, windows, batch.expires_at
        )
        return Reservation(
            batch.model,
            line.prompt_tokens,
            batch.max_output_tokens,
            WorstCase(line.tokens, line.micro_usd),
            batch.submitted_at.astimezone(budget.tz).date(),
            hold,
            line.estimated_prompt_tokens,
            batch=True,
        )

    @staticmethod
    def _failed(report: EnrichReport, job_hash: str, message: str) -> None:
        report.record_failure(f"{job_hash}: {message}")
        log.warning("batch enrichment of %s failed: %s", job_hash, message)


def _line(job: Job, reservation: Reservation) -> BatchLine:
    return BatchLine(
        job.job_hash,
        reservation.hold.reservation_id,
        reservation.prompt_tokens,
        reservation.estimated_prompt_tokens,
        reservation.worst.tokens,
        reservation.worst.micro_usd,
    )


def _request(
    job_hash: str, model: str, messages: Sequence[Mapping[str, str]], settings: Settings
) -> str:
    """One JSONL line: the synchronous path's request, ``custom_id`` the job's hash."""
    body = {
        "model": model,
        "messages": list(messages),
        "response_format": RESPONSE_FORMAT,
        "max_completion_tokens": settings.openai_max_output_tokens,
    }
    request = {"custom_id": job_hash, "method": "POST", "url": CHAT_ENDPOINT, "body": body}
    return json.dumps(request, ensure_ascii=False, separators=(",", ":"))
