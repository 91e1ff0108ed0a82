"""PostgreSQL only: the pool, session settings, timeouts, dead connections and clear errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import anyio
import psycopg
import pytest

from jobping.errors import ConfigError, StoreError
from jobping.store import open_store
from jobping.store.postgres import PostgresStore
from tests.store import NOW, build_job

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

Admin = psycopg.Connection[tuple[Any, ...]]

SENTINEL = "pw-SENTINEL-4c1d"


@pytest.fixture
def app_name(postgres_schema: str) -> str:
    """An application_name that tells this test's connections apart in pg_stat_activity."""
    return f"app_{postgres_schema}"


@pytest.fixture
async def pooled(postgres_url: str, app_name: str) -> AsyncIterator[PostgresStore]:
    """A store of two pooled connections, a 0.5 s statement timeout and its own app name."""
    store = await PostgresStore.open(
        f"{postgres_url}&application_name={app_name}",
        pool_min_size=2,
        pool_max_size=2,
        statement_timeout_seconds=0.5,
        idle_in_transaction_timeout_seconds=7,
    )
    yield store
    await store.close()


def terminate(admin: Admin, app_name: str) -> int:
    """pg_terminate_backend every connection of ``app_name``; how many were killed."""
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
        (app_name,),
    ).fetchall()
    return len(rows)


async def test_every_pooled_session_has_the_timeouts_and_utc(pooled: PostgresStore) -> None:
    """statement_timeout, idle_in_transaction_session_timeout and TimeZone are set on open."""
    query = (
        "SELECT current_setting('statement_timeout'),"
        " current_setting('idle_in_transaction_session_timeout'), current_setting('TimeZone')"
    )
    rows = await pooled._fetch(query)

    assert rows == [("500ms", "7s", "UTC")]


async def test_a_query_past_the_statement_timeout_is_cancelled_and_the_pool_stays_healthy(
    pooled: PostgresStore,
) -> None:
    """pg_sleep past statement_timeout raises a clear StoreError; the next calls work."""
    with pytest.raises(StoreError, match=r"ran past the statement timeout \(0.5 s") as caught:
        await pooled._sleep(30)

    assert isinstance(caught.value.__cause__, psycopg.errors.QueryCanceled)
    for n in range(3):  # more calls than connections: each connection is still usable
        assert (await pooled.upsert_jobs([build_job(n)], seen_at=NOW)).new == 1
    assert await pooled.count_jobs() == 3


async def test_killed_idle_connections_are_replaced_and_the_run_goes_on(
    pooled: PostgresStore, app_name: str, postgres_admin: Admin
) -> None:
    """pg_terminate_backend on every pooled connection between batches: no call fails."""
    new = 0
    for batch in range(4):
        if batch == 2:
            assert terminate(postgres_admin, app_name) == 2
        jobs = [build_job(n) for n in range(batch * 100, batch * 100 + 100)]
        new += (await pooled.upsert_jobs(jobs, seen_at=NOW)).new

    assert new == 400
    assert await pooled.count_jobs() == 400
    assert re.fullmatch(
        r"<PostgresStore postgres@127\.0\.0\.1:5432/test open .* max=2>", repr(pooled)
    )


async def test_a_connection_killed_mid_query_fails_that_call_only(
    pooled: PostgresStore, app_name: str, postgres_admin: Admin
) -> None:
    """The call whose connection is killed raises StoreError; the pool replaces it."""
    failures: list[StoreError] = []

    async def slow_call() -> None:
        with pytest.raises(StoreError) as caught:
            await pooled._sleep(0.4)
        failures.append(caught.value)

    async with anyio.create_task_group() as group:
        group.start_soon(slow_call)
        with anyio.fail_after(5):
            while not sleeping(postgres_admin, app_name):  # noqa: ASYNC110 (polls the server: no event to await)
                await anyio.sleep(0.01)
        terminate(postgres_admin, app_name)

    assert "terminat" in str(failures[0])
    assert await pooled.count_jobs() == 0
    assert await pooled.upsert_jobs([build_job(1)], seen_at=NOW)


def sleeping(admin: Admin, app_name: str) -> bool:
    """Whether a connection of ``app_name`` is running pg_sleep."""
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = %s AND query LIKE 'SELECT pg_sleep%%' AND state = 'active'",
        (app_name,),
    ).fetchone()
    return bool(row and row[0])


async def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    """Connection refused: StoreError naming user, host, port and database, not the password."""
    url = f"postgresql://jobping:{SENTINEL}@127.0.0.1:1/jobs"

    with pytest.raises(
        StoreError, match=re.escape("PostgreSQL jobping@127.0.0.1:1/jobs:")
    ) as caught:
        await open_store(url, connect_timeout_seconds=2)

    assert SENTINEL not in str(caught.value)
    assert "refused" in str(caught.value)


async def test_a_missing_database_is_a_store_error_without_the_password(
    postgres_admin: Admin,
) -> None:
    """The server answers that the database does not exist; the password stays out."""
    url = f"postgresql://postgres:{SENTINEL}@127.0.0.1:5432/jobping_missing_db"

    with pytest.raises(StoreError, match='database "jobping_missing_db" does not exist') as caught:
        await open_store(url)

    assert SENTINEL not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"pool_min_size": 4, "pool_max_size": 2}, "PG_POOL_MAX_SIZE"),
        ({"pool_min_size": 0, "pool_max_size": 0}, "PG_POOL_MAX_SIZE"),
    ],
)
async def test_a_pool_smaller_than_its_minimum_is_a_config_error(
    options: dict[str, Any], problem: str
) -> None:
    """pool_max_size below pool_min_size (or 0) is refused before any connection."""
    with pytest.raises(ConfigError, match=problem):
        await open_store(f"postgresql://postgres:{SENTINEL}@127.0.0.1:1/x", **options)


async def test_a_malformed_url_is_a_config_error_without_the_password() -> None:
    """A URL libpq cannot parse raises ConfigError on DATABASE_URL, the password unshown."""
    with pytest.raises(ConfigError, match="not a valid PostgreSQL URL") as caught:
        await open_store(f"postgresql://u:{SENTINEL}@127.0.0.1:5432/db?no_such_option=1")

    assert list(caught.value.problems) == ["DATABASE_URL"]
    assert SENTINEL not in str(caught.value)


async def test_a_closed_store_refuses_calls_and_closes_again_quietly(postgres_url: str) -> None:
    """After close, calls raise StoreError; a second close does nothing; repr says closed."""
    store = await open_store(postgres_url)
    await store.close()
    await store.close()

    with pytest.raises(StoreError, match="is closed"):
        await store.count_jobs()
    assert repr(store) == "<PostgresStore postgres@127.0.0.1:5432/test closed>"
    assert store.description == "PostgreSQL postgres@127.0.0.1:5432/test"
