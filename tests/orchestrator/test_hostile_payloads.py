"""Hostile payloads in a run: deep JSON fails its target alone, bad UTF-8 keeps its page (#12)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jobping.orchestrator import Orchestrator
from jobping.store import Store
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import Paging, make
from tests.servers import HostileServer, hostile_server

pytestmark = pytest.mark.anyio


@pytest.fixture
async def server() -> AsyncIterator[HostileServer]:
    """A hostile HTTP server on 127.0.0.1."""
    async with hostile_server() as running:
        yield running


async def test_json_nested_200k_deep_is_a_payload_error_of_its_target_only(
    make_settings: SettingsFactory, store: Store, server: HostileServer
) -> None:
    """Deep JSON is a PayloadError, not a crash: the pages before it and other targets are kept."""
    deep = make(
        Paging,
        "deep",
        targets=("a", "b"),
        base_url=server.url(""),
        paths=("/json", "/deep?depth=200000"),
    )
    fine = make(Paging, "fine", base_url=server.url(""), paths=("/json", "/json"))

    report = await Orchestrator(make_settings(run_min_jobs=0), store, scrapers=[deep, fine]).run()

    results = {scraper.name: scraper for scraper in report.scrapers}
    assert results["deep"].status == "failed"
    assert sorted(error.split(": ", 2)[:2] for error in results["deep"].errors) == [
        ["a", "PayloadError"],
        ["b", "PayloadError"],
    ]
    assert "nested deeper than the decoder's depth limit" in results["deep"].errors[0]
    assert "RecursionError" not in str(report.to_dict())
    assert (results["deep"].new, results["fine"].new, results["fine"].status) == (2, 2, "ok")
    assert await store.count_jobs() == 4


async def test_invalid_utf8_is_replaced_counted_and_the_page_kept(
    make_settings: SettingsFactory, store: Store, server: HostileServer
) -> None:
    """Three invalid bytes become U+FFFD: the page's job is stored and the report counts them."""
    latin = make(Paging, "latin", base_url=server.url(""), paths=("/bad_utf8",))

    report = await Orchestrator(make_settings(run_min_jobs=0), store, scrapers=[latin]).run()

    (result,) = report.scrapers
    assert (result.status, result.new, result.replaced_bytes) == ("ok", 1, 3)
    assert result.to_dict()["replaced_bytes"] == 3
    stored = await store.get_job("latin:t1-0")
    assert stored is not None
    assert stored.title == "Caf\ufffd manager"
