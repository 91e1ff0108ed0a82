"""Hostile fields (#11): a 1 MiB title and an 8 MiB description cost one bounded prompt."""

from __future__ import annotations

import dataclasses

import pytest

from jobping.budget import PriceTable, count_chat_tokens
from jobping.enrich import CUT_MARK, FIELD_TOKEN_CAP, RESPONSE_FORMAT, build_messages
from jobping.models import Job
from jobping.orchestrator._limits import FieldLimits
from jobping.store import Store
from tests.budget import NOW
from tests.enrich.conftest import MakeEnricher, build_jobs
from tests.enrich.server import FakeOpenAI

pytestmark = pytest.mark.anyio

MODEL = "gpt-5.4-mini"
DESCRIPTION_CAP = 1_500


def hostile() -> Job:
    """A job with a 1 MiB title and an 8 MiB description of varied words."""
    words = " ".join(f"w{n}x{n * 7 % 1000}" for n in range(2_000))
    return dataclasses.replace(
        build_jobs(1)[0],
        title=("Senior " + words)[: 1 << 20].ljust(1 << 20, "x"),
        description=(words * 1_000)[: 8 << 20],
    )


def prompt_bound() -> int:
    """The most prompt tokens any job can cost: a tiny job's, plus every field's cap."""
    tiny = dataclasses.replace(build_jobs(1)[0], title="", company="", location="", description="")
    base = count_chat_tokens(
        build_messages(tiny, description_token_cap=DESCRIPTION_CAP, model=MODEL),
        MODEL,
        RESPONSE_FORMAT,
    )
    return base + 3 * FIELD_TOKEN_CAP + DESCRIPTION_CAP


async def test_hostile_fields_are_capped_on_entry_and_the_prompt_is_bounded(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """Regression #11: capped when stored; the call's prompt within the per-job token budget."""
    job = hostile()
    capped, cut = FieldLimits().cap(job)
    await store.upsert_jobs([capped], seen_at=NOW)

    async with make_enricher(
        openai_models=[MODEL], openai_description_token_cap=DESCRIPTION_CAP
    ) as enricher:
        report = await enricher.enrich_backlog(limit=10)

    stored = await store.get_job(job.job_hash)
    assert stored is not None
    assert sorted(cut) == ["description", "title"]
    assert (len(stored.title), len(stored.description)) == (500, 100_000)
    assert report.enriched == 1
    (served,) = openai_server.served
    assert served.counted_prompt_tokens <= prompt_bound()
    user = openai_server.requests[0]["messages"][-1]["content"]
    assert user.count(CUT_MARK) == 2  # the title and the description, each cut and marked
    assert report.micro_usd == openai_server.billed(PriceTable.load())[1]


async def test_a_hostile_job_enriched_directly_is_bounded_too(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI
) -> None:
    """Not through the store (no entry cap): the prompt is still cut to the per-job budget."""
    job = hostile()

    async with make_enricher(
        openai_models=[MODEL], openai_description_token_cap=DESCRIPTION_CAP
    ) as enricher:
        enriched = await enricher.enrich(job)

    (served,) = openai_server.served
    assert served.counted_prompt_tokens <= prompt_bound()
    assert enriched.micro_usd == openai_server.billed(PriceTable.load())[1]
