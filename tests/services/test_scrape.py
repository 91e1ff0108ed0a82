"""``scrape_one``: one scraper by hand, its jobs stored through the run's sink when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobping.errors import ConfigError
from jobping.scraping import find_scraper
from jobping.services import scrape_one
from jobping.settings import Settings
from scrapers.greenhouse import Greenhouse
from tests.helpers import opened_store

pytestmark = pytest.mark.anyio


def _settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'jobs.db'}", run_batch_size=2)


async def test_stored_jobs_go_through_the_sink(tmp_path: Path) -> None:
    """--store normalizes and dedupes like a run: a target scraped twice is stored once."""
    settings = _settings(tmp_path)
    greenhouse = find_scraper("greenhouse", settings).scraper
    assert greenhouse is not None

    outcome = await scrape_one(
        greenhouse(), settings, targets=["gitlab", "gitlab"], write=True, sandbox=True
    )

    assert [target.jobs for target in outcome.targets] == [3, 3]
    assert len(outcome.jobs) == 6
    assert outcome.stored is not None
    assert (outcome.stored.new, outcome.stored.updated, outcome.stored.unchanged) == (3, 0, 0)
    async with opened_store(settings.database_url) as store:
        assert await store.count_jobs() == 3
        stored = [await store.get_job(job.job_hash) for job in outcome.jobs[:3]]
    (run_id,) = {job.scraper_run_id for job in stored if job is not None}
    assert run_id is not None
    assert run_id.startswith("scrape-")  # the sink stamped this scrape's run id
    assert all(job is not None and job.is_active for job in stored)


async def test_nothing_is_stored_without_write(tmp_path: Path) -> None:
    """Without ``write`` a sandboxed scrape opens no store at all."""
    settings = _settings(tmp_path)
    greenhouse = find_scraper("greenhouse", settings).scraper
    assert greenhouse is not None

    outcome = await scrape_one(greenhouse(), settings, targets=["gitlab"], sandbox=True)

    assert len(outcome.jobs) == 3
    assert outcome.stored is None
    assert not (tmp_path / "jobs.db").exists()


async def test_a_sandbox_that_does_not_serve_the_scraper_is_a_config_error(
    tmp_path: Path,
) -> None:
    """Asking the sandbox for a scraper it does not serve names ``--sandbox``."""

    class Unserved(Greenhouse):
        name = "unserved"

    with pytest.raises(ConfigError, match="the sandbox does not serve unserved"):
        await scrape_one(Unserved(), _settings(tmp_path), sandbox=True)
