"""Supabase REST backend: the exact PostgREST requests it sends, checked with respx.

The SQL functions these requests call are tested for real by the contract suite on
PostgreSQL (the psycopg backend calls the same functions with the same arguments).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import respx

from jobping.errors import ConfigError, MigrationError, StoreError
from jobping.models import Enrichment, RunRecord, RunStatus
from jobping.store import (
    BreakerSnapshot,
    BudgetHold,
    BudgetUsage,
    BudgetWindow,
    JobFilter,
    QuotaWindow,
    UpsertResult,
    open_store,
    schema_status,
)
from jobping.store._migrate import migrations_for
from jobping.store._rows import SIGHTING_ROW, content_hash, iso, validators_from_row
from jobping.store.supabase import SupabaseStore
from tests.store import NOW, build_job

pytestmark = pytest.mark.anyio

URL = "http://127.0.0.1:54321"
KEY = "service-role-SENTINEL-0123456789abcdef"
LATEST = len(migrations_for("postgres"))
DAY = BudgetWindow("day:2026-11-23", 10_000, 5_000_000)
HOLD = BudgetHold("res-1", 700, 1_400, (DAY,), NOW + timedelta(minutes=5))


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """A respx router standing in for the project's REST API (every call must be routed)."""
    with respx.mock(base_url=f"{URL}/rest/v1", assert_all_called=False) as router:
        yield router


@pytest.fixture
async def supabase(api: respx.MockRouter) -> AsyncIterator[SupabaseStore]:
    """A Supabase store on the mocked API, closed after the test."""
    store = SupabaseStore.connect(url=URL, service_role_key=KEY)
    yield store
    await store.close()


def body(route: respx.Route) -> Any:
    """The JSON body of the last request a route answered."""
    return json.loads(route.calls.last.request.content)


def params(route: respx.Route) -> dict[str, str]:
    """The query parameters of the last request a route answered."""
    return dict(route.calls.last.request.url.params)


def stored(n: int, **changes: Any) -> dict[str, Any]:
    """Job ``n`` as PostgREST returns a stored row (with the table's own columns)."""
    row: dict[str, Any] = {
        "id": n,
        "job_hash": f"hash-{n:06d}",
        "title": f"Engineer {n}",
        "company": "Acme",
        "job_url": f"https://jobs.example.com/{n}",
        "source": "greenhouse",
        "source_id": None,
        "location": None,
        "city": None,
        "country": None,
        "description": "",
        "experience_required": None,
        "work_environment": "unknown",
        "categories": [],
        "language_requirements": [],
        "company_profile_url": None,
        "posted_at": (NOW - timedelta(minutes=n)).isoformat(),
        "original_posted_date": None,
        "scrape_timestamp": None,
        "last_seen_at": "2026-11-20T00:00:00+00:00",
        "is_active": True,
        "scraper_run_id": None,
        "is_internship": None,
        "is_graduate": None,
        "visa_friendly": None,
        "salary_min": None,
        "salary_max": None,
        "salary_currency": None,
        "salary_period": None,
        "employment_type": None,
        "employment_type_raw": None,
        "created_at": "2026-11-01T00:00:00+00:00",
        "summary": None,
        "enriched_at": None,
        "enrichment_model": None,
        "enrichment_failures": 0,
    }
    return row | changes


async def test_every_request_carries_the_key_as_apikey_and_bearer(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """PostgREST authenticates the service role by the apikey and Authorization headers."""
    route = api.get("/runs").respond(200, json=[])

    assert await supabase.get_run("run-1") is None

    headers = route.calls.last.request.headers
    assert headers["apikey"] == KEY
    assert headers["authorization"] == f"Bearer {KEY}"
    assert params(route) == {"select": "*", "run_id": "eq.run-1"}


async def test_upsert_reads_the_batch_then_merges_on_job_hash(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """One GET of the stored rows, one merging POST ?on_conflict=job_hash each to two tables.

    The jobs go to jobs, their sightings (and digests) to job_sightings (#16).
    """
    api.post("/rpc/jobping_mark_seen_unchanged").respond(200, json=[])
    sightings = api.post("/job_sightings").respond(201)
    read = api.get("/jobs_view").respond(
        200, json=[stored(1), stored(2, enriched_at=NOW.isoformat())]
    )
    write = api.post("/jobs").respond(201)
    jobs = [build_job(1, title="Senior Engineer 1"), build_job(2), build_job(3)]

    result = await supabase.upsert_jobs(jobs, seen_at=NOW)

    assert result == UpsertResult(new=1, updated=1, unchanged=1)
    assert params(read) == {
        "select": "*",
        "job_hash": "in.(hash-000001,hash-000002,hash-000003)",
    }
    assert params(write)["on_conflict"] == "job_hash"
    prefer = write.calls.last.request.headers["prefer"].split(",")
    assert sorted(prefer) == ["resolution=merge-duplicates", "return=minimal"]
    assert params(sightings)["on_conflict"] == "job_hash"
    rows = {row["job_hash"]: row for row in body(write)}
    seen = {row["job_hash"]: row for row in body(sightings)}
    assert rows["hash-000001"]["title"] == "Senior Engineer 1"
    assert rows["hash-000001"]["created_at"] == "2026-11-01T00:00:00+00:00"  # kept
    assert seen["hash-000002"]["last_seen_at"] == NOW.isoformat()  # sighting refreshed
    assert rows["hash-000003"]["created_at"] == NOW.isoformat()  # new
    assert "summary" not in rows["hash-000003"]  # the enrichment record is never written
    assert all(set(row) == set(SIGHTING_ROW) for row in seen.values())
    assert not set(SIGHTING_ROW[1:]) & set(rows["hash-000003"])


async def test_a_long_batch_is_read_in_chunks_of_hashes(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """250 hashes are looked up 100 at a time, so no URL grows past proxies' limits."""
    api.post("/rpc/jobping_mark_seen_unchanged").respond(200, json=[])
    read = api.get("/jobs_view").respond(200, json=[])
    api.post("/jobs").respond(201)
    api.post("/job_sightings").respond(201)

    result = await supabase.upsert_jobs([build_job(n) for n in range(250)], seen_at=NOW)

    assert result == UpsertResult(new=250)
    assert read.call_count == 3


async def test_unchanged_jobs_are_marked_seen_by_one_rpc_and_never_read(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """The digests go in one rpc; the jobs it marks are neither read nor written (#16)."""
    mark = api.post("/rpc/jobping_mark_seen_unchanged").respond(
        200, json=["hash-000001", "hash-000002"]
    )
    read = api.get("/jobs_view").respond(200, json=[])
    write = api.post("/jobs").respond(201)
    sightings = api.post("/job_sightings").respond(201)
    jobs = [build_job(1), build_job(2), build_job(3)]

    result = await supabase.upsert_jobs(jobs, seen_at=NOW)

    assert result == UpsertResult(new=1, unchanged=2)
    sent = body(mark)
    assert sent["p_seen_at"] == NOW.isoformat()
    assert [row["job_hash"] for row in sent["p_rows"]] == [
        "hash-000001",
        "hash-000002",
        "hash-000003",
    ]
    assert {row["content_hash"] for row in sent["p_rows"]} == {content_hash(job) for job in jobs}
    assert params(read)["job_hash"] == "in.(hash-000003)"
    assert [row["job_hash"] for row in body(write)] == ["hash-000003"]
    assert body(sightings) == [
        {
            "job_hash": "hash-000003",
            "content_hash": content_hash(jobs[2]),
            "last_seen_at": NOW.isoformat(),
            "scrape_timestamp": iso(jobs[2].scrape_timestamp),
            "scraper_run_id": jobs[2].scraper_run_id,
        }
    ]


async def test_count_jobs_asks_for_an_exact_count_without_rows(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """HEAD with Prefer: count=exact; the count comes from Content-Range."""
    route = api.head("/jobs").respond(200, headers={"Content-Range": "*/42"})

    assert await supabase.count_jobs(active_only=True) == 42

    assert route.calls.last.request.headers["prefer"] == "count=exact"
    assert params(route) == {"select": "*", "is_active": "eq.true"}


async def test_recent_active_jobs_filters_orders_and_excludes(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """Backfill: is_active, posted_at >= since, newest first; exclude applied client-side."""
    route = api.get("/jobs_view").respond(200, json=[stored(0), stored(1), stored(2)])

    jobs = await supabase.recent_active_jobs(
        posted_since=NOW - timedelta(days=1), exclude={"hash-000001"}, limit=2
    )

    assert [job.job_hash for job in jobs] == ["hash-000000", "hash-000002"]
    assert params(route) == {
        "select": "*",
        "is_active": "eq.true",
        "posted_at": "gte.2026-11-22T09:30:00+00:00",
        "order": "posted_at.desc,job_hash.asc",
        "offset": "0",
        "limit": "3",
    }


async def test_deactivate_stale_is_one_rpc_and_counts(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """One rpc of jobping_deactivate_stale (last_seen_at lives in job_sightings, #16)."""
    route = api.post("/rpc/jobping_deactivate_stale").respond(200, json=3)

    assert await supabase.deactivate_stale(source="lever", last_seen_before=NOW) == 3

    assert body(route) == {"p_source": "lever", "p_last_seen_before": NOW.isoformat()}


async def test_save_run_upserts_on_run_id_and_reads_back(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """POST /runs?on_conflict=run_id with the JSON row; recent_runs orders newest first."""
    run = RunRecord(run_id="run-1", started_at=NOW, status=RunStatus.SUCCESS, counts={"new": 3})
    write = api.post("/runs").respond(201)
    read = api.get("/runs").respond(200, json=[body_of(run)])

    await supabase.save_run(run)
    runs = await supabase.recent_runs(limit=5)

    assert params(write)["on_conflict"] == "run_id"
    assert body(write) == [body_of(run)]
    assert runs == [run]
    assert params(read) == {"select": "*", "order": "started_at.desc,run_id.desc", "limit": "5"}


async def test_a_rate_limited_breaker_is_upserted_on_domain_and_read_back(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """POST /breakers?on_conflict=domain with the held state; load_breakers restores it (#12)."""
    until = NOW + timedelta(seconds=3600)
    held = BreakerSnapshot("api.lever.co", "rate_limited", 0, NOW, until, 3600.0)
    row = {
        "domain": "api.lever.co",
        "state": "rate_limited",
        "failures": 0,
        "opened_at": NOW.isoformat(),
        "retry_at": until.isoformat(),
        "cooldown_seconds": 3600.0,
    }
    write = api.post("/breakers").respond(201)
    read = api.get("/breakers").respond(200, json=[row])

    await supabase.save_breaker(held)
    loaded = await supabase.load_breakers()

    assert params(write)["on_conflict"] == "domain"
    assert body(write) == [row]
    assert loaded == {"api.lever.co": held}
    assert params(read)["order"] == "domain.asc"


def body_of(run: RunRecord) -> dict[str, Any]:
    """A run row as JSON."""
    return {
        "run_id": run.run_id,
        "started_at": run.started_at.isoformat(),
        "finished_at": None,
        "status": run.status.value,
        "counts": run.counts,
        "errors": run.errors,
    }


@pytest.mark.parametrize(("answer", "granted"), [(True, True), (False, False)])
async def test_consume_quota_is_one_rpc_of_the_sql_function(
    supabase: SupabaseStore, api: respx.MockRouter, answer: bool, granted: bool
) -> None:
    """POST /rpc/jobping_consume_quota with the windows' keys and limits, all or none."""
    route = api.post("/rpc/jobping_consume_quota").respond(200, json=answer)
    windows = [QuotaWindow("day:2026-11-23", 10), QuotaWindow("month:2026-11", 100)]

    assert await supabase.consume_quota("a.example", windows, 2, now=NOW) is granted

    assert body(route) == {
        "p_domain": "a.example",
        "p_window_keys": ["day:2026-11-23", "month:2026-11"],
        "p_limits": [10, 100],
        "p_amount": 2,
    }


async def test_release_quota_is_one_rpc(supabase: SupabaseStore, api: respx.MockRouter) -> None:
    """POST /rpc/jobping_release_quota; a void function answers 204."""
    route = api.post("/rpc/jobping_release_quota").respond(204)

    await supabase.release_quota("a.example", [QuotaWindow("day:2026-11-23", 10)], 3)

    assert body(route) == {
        "p_domain": "a.example",
        "p_window_keys": ["day:2026-11-23"],
        "p_amount": 3,
    }


async def test_lease_calls_are_rpcs_and_expiries_come_back_as_utc(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """acquire/renew/release post to their functions; a null expiry means refused."""
    acquire = api.post("/rpc/jobping_acquire_lease").respond(200, json="2026-11-23T10:35:00+01:00")
    renew = api.post("/rpc/jobping_renew_lease").respond(200, json=None)
    release = api.post("/rpc/jobping_release_lease").respond(204)

    expiry = await supabase.acquire_lease("run", "host-1", ttl_seconds=300, now=NOW)
    renewed = await supabase.renew_lease("run", "host-2", ttl_seconds=300, now=NOW)
    await supabase.release_lease("run", "host-1")

    assert expiry == NOW + timedelta(seconds=300)
    assert expiry is not None
    assert expiry.utcoffset() == timedelta(0)
    assert renewed is None
    assert body(acquire) == {
        "p_name": "run",
        "p_holder": "host-1",
        "p_ttl_seconds": 300,
        "p_now": "2026-11-23T09:30:00+00:00",
    }
    assert body(renew)["p_holder"] == "host-2"
    assert body(release) == {"p_name": "run", "p_holder": "host-1"}


async def test_budget_calls_are_rpcs_of_the_ledger_functions(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """reserve, commit and release post the hold and the usage to their SQL functions."""
    reserve = api.post("/rpc/jobping_reserve_budget").respond(200, json=True)
    commit = api.post("/rpc/jobping_commit_budget").respond(200, json=False)
    release = api.post("/rpc/jobping_release_budget").respond(204)
    usage = BudgetUsage("gpt-5.4-mini", date(2026, 11, 23), 400, 100, 200, 50, 1_000)

    assert await supabase.reserve_budget(HOLD, now=NOW)
    assert not await supabase.commit_budget(HOLD, usage, now=NOW)
    await supabase.release_budget("res-1")

    assert body(reserve) == {
        "p_reservation_id": "res-1",
        "p_window_keys": ["day:2026-11-23"],
        "p_token_limits": [10_000],
        "p_cost_limits_micro_usd": [5_000_000],
        "p_tokens": 700,
        "p_micro_usd": 1_400,
        "p_expires_at": "2026-11-23T09:35:00+00:00",
        "p_now": "2026-11-23T09:30:00+00:00",
    }
    assert body(commit) == {
        "p_reservation_id": "res-1",
        "p_window_keys": ["day:2026-11-23"],
        "p_model": "gpt-5.4-mini",
        "p_day": "2026-11-23",
        "p_prompt_tokens": 400,
        "p_cached_tokens": 100,
        "p_completion_tokens": 200,
        "p_reasoning_tokens": 50,
        "p_micro_usd": 1_000,
        "p_now": "2026-11-23T09:30:00+00:00",
        "p_outcome": "answered",  # #11: the outcome and the estimate feed the report and ratio
        "p_estimated_prompt_tokens": 0,
    }
    assert body(release) == {"p_reservation_id": "res-1"}


async def test_budget_counters_add_live_reservations_to_the_committed_counters(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """Counters by window_key=in.(...); reservations only those expiring after now."""
    api.get("/budget_counters").respond(
        200, json=[{"window_key": DAY.key, "tokens_committed": 900, "micro_usd_committed": 80}]
    )
    live = api.get("/budget_reservations").respond(
        200,
        json=[
            {"reservation_id": "a", "window_key": DAY.key, "tokens": 700, "micro_usd": 5},
            {"reservation_id": "b", "window_key": DAY.key, "tokens": 300, "micro_usd": 2},
        ],
    )

    counters = await supabase.budget_counters([DAY.key, "month:2026-11"], now=NOW)

    assert counters[DAY.key].tokens_committed == 900
    assert (counters[DAY.key].tokens_reserved, counters[DAY.key].micro_usd_reserved) == (1000, 7)
    assert counters["month:2026-11"].tokens_committed == 0
    assert params(live)["expires_at"] == "gt.2026-11-23T09:30:00+00:00"
    assert params(live)["window_key"] == 'in.("day:2026-11-23","month:2026-11")'


async def test_budget_usage_is_summed_per_model_over_the_days(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """The usage rows of the day range come back summed per model, sorted by model."""
    row: dict[str, Any] = {"prompt_tokens": 10, "cached_tokens": 1, "completion_tokens": 5}
    row |= {"reasoning_tokens": 0, "micro_usd": 7, "day": "2026-11-23"}
    route = api.get("/budget_usage").respond(
        200,
        json=[
            row | {"reservation_id": "a", "model": "nano"},
            row | {"reservation_id": "b", "model": "mini"},
            row | {"reservation_id": "c", "model": "nano"},
        ],
    )

    totals = await supabase.budget_usage_by_model(date(2026, 11, 1), date(2026, 11, 30))

    assert [(t.key, t.calls, t.tokens, t.micro_usd) for t in totals] == [
        ("mini", 1, 15, 7),
        ("nano", 2, 30, 14),
    ]
    url = route.calls.last.request.url
    assert url.params.get_list("day") == ["gte.2026-11-01", "lte.2026-11-30"]


async def test_enrichment_is_a_patch_and_a_failure_an_rpc(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """save_enrichment PATCHes the enriched columns; a failure bumps its counter by rpc."""
    patch = api.patch("/jobs").respond(204, headers={"Content-Range": "*/1"})
    failed = api.post("/rpc/jobping_record_enrichment_failure").respond(204)
    enrichment = Enrichment(categories=("data",), summary="Builds pipelines.")

    assert await supabase.save_enrichment("hash-000001", enrichment, model="mini", now=NOW)
    await supabase.record_enrichment_failure("hash-000002")

    assert params(patch) == {"job_hash": "eq.hash-000001"}
    assert body(patch)["categories"] == ["data"]
    assert body(patch)["enriched_at"] == "2026-11-23T09:30:00+00:00"
    assert body(patch)["enrichment_model"] == "mini"
    assert body(failed) == {"p_job_hash": "hash-000002"}
    assert body(patch)["enrichment_claimed_by"] is None
    assert body(patch)["enrichment_claim_expires_at"] is None


async def test_claims_are_rpcs_of_the_claim_functions(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """claim_enrichment is one rpc returning the claimed rows; release is one rpc (#11)."""
    claim = api.post("/rpc/jobping_claim_enrichment").respond(200, json=[stored(3), stored(1)])
    release = api.post("/rpc/jobping_release_enrichment_claims").respond(204)

    jobs = await supabase.claim_enrichment("worker-1", limit=2, ttl_seconds=600, now=NOW)
    await supabase.release_enrichment_claims("worker-1", ["hash-000001"])
    await supabase.release_enrichment_claims("worker-1", [])

    assert [job.job_hash for job in jobs] == ["hash-000003", "hash-000001"]
    assert body(claim) == {
        "p_holder": "worker-1",
        "p_limit": 2,
        "p_max_failures": 3,
        "p_ttl_seconds": 600,
        "p_now": "2026-11-23T09:30:00+00:00",
    }
    assert body(release) == {"p_holder": "worker-1", "p_job_hashes": ["hash-000001"]}
    assert release.call_count == 1


async def test_a_refused_key_is_a_store_error_that_never_shows_it(
    supabase: SupabaseStore, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """A 401 becomes StoreError with PostgREST's message; the key is in no error or log."""
    caplog.set_level(logging.DEBUG)
    api.get("/runs").respond(401, json={"message": "Invalid API key", "hint": f"got {KEY}"})

    with pytest.raises(StoreError, match=f"Supabase {URL}: Invalid API key") as caught:
        await supabase.get_run("run-1")

    assert KEY not in str(caught.value)
    assert KEY not in caplog.text
    assert KEY not in repr(supabase)


async def test_an_unreachable_project_is_a_clear_store_error(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """A connection failure becomes StoreError naming the project URL, without the key."""
    api.post("/rpc/jobping_consume_quota").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(StoreError, match=f"Supabase {URL}: request failed: ConnectError") as caught:
        await supabase.consume_quota("a.example", [QuotaWindow("day:x", 1)], 1, now=NOW)

    assert KEY not in str(caught.value)


async def test_opening_checks_that_the_schema_is_current(api: respx.MockRouter) -> None:
    """open_store('supabase') reads schema_migrations; a current schema opens."""
    route = api.get("/schema_migrations").respond(200, json=[{"version": LATEST}])

    store = await open_store("supabase", url=URL, service_role_key=KEY)
    await store.close()
    await store.close()

    assert params(route) == {"select": "version", "order": "version.desc", "limit": "1"}
    assert store.description == f"Supabase {URL}"
    with pytest.raises(StoreError, match="is closed"):
        await store.count_jobs()


async def test_a_schema_behind_names_the_missing_migrations(api: respx.MockRouter) -> None:
    """Missing migrations raise MigrationError naming them and how to apply them."""
    api.get("/schema_migrations").respond(200, json=[{"version": LATEST - 1}])

    latest = migrations_for("postgres")[-1].label
    with pytest.raises(MigrationError, match=f"lacks migrations {latest}: run `jobping db"):
        await open_store("supabase", url=URL, service_role_key=KEY)


async def test_a_project_without_the_schema_is_at_version_zero(api: respx.MockRouter) -> None:
    """PostgREST's 'table not found' (PGRST205) reads as version 0: everything pending."""
    api.get("/schema_migrations").respond(
        404, json={"code": "PGRST205", "message": "Could not find the table"}
    )

    status = await schema_status("supabase", url=URL, service_role_key=KEY)

    assert (status.backend, status.version) == (f"Supabase {URL}", 0)
    assert len(status.pending) == LATEST


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"url": None, "service_role_key": KEY}, "SUPABASE_URL"),
        ({"url": "db.example.com", "service_role_key": KEY}, "SUPABASE_URL"),
        ({"url": URL, "service_role_key": None}, "SUPABASE_SERVICE_ROLE_KEY"),
    ],
)
async def test_missing_settings_are_config_errors_naming_them(
    options: dict[str, Any], key: str
) -> None:
    """DATABASE_URL=supabase without a project URL or key stops with ConfigError on it."""
    with pytest.raises(ConfigError) as caught:
        await open_store("supabase", **options)

    assert list(caught.value.problems) == [key]
    assert KEY not in str(caught.value)


async def test_usage_totals_count_lost_answers_and_overshoots(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """Usage rows' outcome adds up to lost calls, their cost and overshoots per model (#11)."""
    rows: list[dict[str, Any]] = [
        {"reservation_id": "a", "model": "mini", "day": "2026-11-23", "outcome": "lost"},
        {"reservation_id": "b", "model": "mini", "day": "2026-11-23", "outcome": "overshoot"},
        {"reservation_id": "c", "model": "mini", "day": "2026-11-23", "outcome": "answered"},
    ]
    for row in rows:
        row |= {"prompt_tokens": 10, "cached_tokens": 0, "completion_tokens": 5}
        row |= {"reasoning_tokens": 0, "micro_usd": 7}
    api.get("/budget_usage").respond(200, json=rows)
    api.get("/budget_prompt_ratios").respond(
        200, json=[{"model": "mini", "estimated": 100.0, "reported": 250.0}]
    )

    (total,) = await supabase.budget_usage_by_model(NOW.date(), NOW.date())

    assert (total.calls, total.lost_calls, total.lost_micro_usd, total.overshoots) == (3, 1, 7, 1)
    assert await supabase.prompt_token_ratios() == {"mini": 2.5}


async def test_iter_jobs_sends_every_filter_and_reads_range_pages(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """jobs on Supabase: PostgREST filters as in SQL, newest first, paged (#10)."""
    route = api.get("/jobs_view").mock(
        side_effect=[
            httpx.Response(200, json=[stored(1), stored(2)]),
            httpx.Response(200, json=[stored(3)]),
        ]
    )
    where = JobFilter(
        source="lever",
        company="a_b",
        remote=True,
        active=False,
        since=NOW,
        search='x, "y"',
    )

    jobs = [job.job_hash async for job in supabase.iter_jobs(where, page_rows=2)]

    assert jobs == ["hash-000001", "hash-000002", "hash-000003"]
    assert route.call_count == 2
    sent = route.calls[0].request
    assert dict(sent.url.params) == {
        "select": "*",
        "source": "eq.lever",
        "company": "ilike.%a\\_b%",
        "work_environment": "eq.remote",
        "is_active": "eq.false",
        "created_at": f"gte.{NOW.isoformat()}",
        "or": '(title.ilike."%x, \\"y\\"%",company.ilike."%x, \\"y\\"%",'
        'location.ilike."%x, \\"y\\"%")',
        "order": "created_at.desc,job_hash.asc",
        "offset": "0",
        "limit": "2",
    }
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "2"]


async def test_iter_jobs_stops_at_the_limit(supabase: SupabaseStore, api: respx.MockRouter) -> None:
    """A limit smaller than a page asks for that many rows only, and yields no more."""
    route = api.get("/jobs_view").respond(200, json=[stored(1), stored(2)])

    jobs = [job.job_hash async for job in supabase.iter_jobs(JobFilter(), limit=2)]

    assert jobs == ["hash-000001", "hash-000002"]
    assert route.calls.last.request.url.params["limit"] == "2"


async def test_validators_and_the_bulk_sighting_are_rpcs(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """Saving, loading validators and marking jobs seen are one rpc each (#16)."""
    row = {
        "scraper": "greenhouse",
        "target": "stripe",
        "url": "http://127.0.0.1:8000/boards/stripe",
        "etag": '"abc"',
        "last_modified": None,
        "body_hash": "0f" * 16,
        "job_hashes": ["hash-000001"],
        "saved_at": "2026-11-23T09:30:00+00:00",
    }
    save = api.post("/rpc/jobping_save_validators").respond(204)
    load = api.post("/rpc/jobping_load_validators").respond(200, json=[row])
    mark = api.post("/rpc/jobping_mark_jobs_seen").respond(200, json=1)

    await supabase.save_validators(validators_from_row(row))
    loaded = await supabase.load_validators("greenhouse")
    marked = await supabase.mark_jobs_seen(["hash-000001"], seen_at=NOW, run_id="run-1")

    assert body(save) == {f"p_{name}": value for name, value in row.items()}
    assert body(load) == {"p_scraper": "greenhouse", "p_target": None}
    assert loaded == {"stripe": validators_from_row(row)}
    assert (loaded["stripe"].job_hashes, marked) == (("hash-000001",), 1)
    assert body(mark) == {
        "p_job_hashes": ["hash-000001"],
        "p_seen_at": "2026-11-23T09:30:00+00:00",
        "p_run_id": "run-1",
    }
