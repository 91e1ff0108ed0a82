"""The store's roles: each method in exactly one role, and Store is all of them."""

from __future__ import annotations

from collections import Counter

from jobping.store import (
    BreakerStore,
    BudgetLedger,
    EnrichmentBacklog,
    JobQueries,
    JobStore,
    LeaseStore,
    QuotaLedger,
    RunLog,
    Store,
    ValidatorStore,
)
from jobping.store.postgres import PostgresStore
from jobping.store.sqlite import SqliteStore
from jobping.store.supabase import SupabaseStore

ROLES = (
    JobStore,
    JobQueries,
    EnrichmentBacklog,
    RunLog,
    LeaseStore,
    QuotaLedger,
    BreakerStore,
    BudgetLedger,
    ValidatorStore,
)
LIFECYCLE = {"description", "close", "schema_version"}


def _members(cls: type) -> set[str]:
    """The public methods and properties ``cls`` itself declares."""
    return {name for name in vars(cls) if not name.startswith("_")}


def test_each_method_belongs_to_exactly_one_role() -> None:
    """No role repeats another's method, and Store adds only its lifecycle to the roles."""
    counts = Counter(name for role in ROLES for name in _members(role))
    assert [name for name, count in counts.items() if count > 1] == []
    assert _members(Store) == LIFECYCLE
    # iter_jobs (JobQueries) added by #10; mark_jobs_seen and ValidatorStore's two by #16
    assert len(counts) + len(LIFECYCLE) == 38


def test_every_backend_implements_every_role() -> None:
    """Each backend class has every method of every role (mypy checks the signatures)."""
    wanted = LIFECYCLE.union(*map(_members, ROLES))
    missing = {
        backend.__name__: sorted(name for name in wanted if not hasattr(backend, name))
        for backend in (SqliteStore, PostgresStore, SupabaseStore)
    }
    assert missing == {"SqliteStore": [], "PostgresStore": [], "SupabaseStore": []}
