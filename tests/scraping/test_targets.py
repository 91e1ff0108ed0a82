"""Target shapes and checks: what each scraper accepts as a target (#12)."""

from __future__ import annotations

import pytest

from jobping import TargetShape
from jobping.errors import ConfigError, ScrapeError
from jobping.scraping import ScrapeContext, Target, check_targets, discover_scrapers
from jobping.settings import load_settings
from tests.orchestrator.fakes import Board

# Targets of the shape the ATS scrapers take (Workday's host/tenant/site): the default fits them.
OTHER_DEFAULTS = (
    "holisticai",
    "breezy",
    "workwithus",
    "nvidia.wd5/nvidia/NVIDIAExternalCareerSite",
)


def test_every_default_target_fits_its_scraper() -> None:
    """The built-in scrapers' own targets pass their own check."""
    rows = discover_scrapers(load_settings(env_file=None))
    for row in rows:
        assert row.scraper is not None, row.problem
        check_targets(row.scraper, [Target(text) for text in row.targets])


@pytest.mark.parametrize("text", [*OTHER_DEFAULTS, "all", "Ubisoft2", "49522897", "acme?page=2"])
def test_the_default_shape_fits_board_tokens_and_their_paths(text: str) -> None:
    """A scraper that declares no shape accepts tokens, ``host/tenant/site`` and options."""
    assert Plain.target_shape == TargetShape.SLUG_PATH
    check_targets(Plain, [Target(text)])


@pytest.mark.parametrize(
    "text", ["..", ".", "a//b", "/a", "a/", "../x", "a?evil", "a?=1", "a?x y=1", "-a", "a\tb"]
)
def test_the_default_shape_refuses_climbing_or_malformed_targets(text: str) -> None:
    """Dot segments, empty segments and options that are not name=value are refused."""
    with pytest.raises(ConfigError, match="target"):
        check_targets(Plain, [Target(text)], key="--target")


def test_the_client_refuses_a_dot_or_empty_path_segment() -> None:
    """Even unchecked, a ``..``, ``%2E%2E`` or empty segment never reaches the client."""
    ctx = ScrapeContext(scraper="acme", client=_NoClient(), base_url="https://api.example/v1")
    assert ctx.url("/stripe/jobs?next=//x") == "https://api.example/v1/stripe/jobs?next=//x"
    for path in ("/../jobs", "/%2e%2E/jobs", "//jobs", "/./jobs", "https://h.example/a/../b"):
        with pytest.raises(ScrapeError, match=r"empty, '\.' or '\.\.' segment"):
            ctx.url(path)


class Plain(Board):
    """A scraper that declares no target shape."""

    name = "plain"
    source = "plain"


class _NoClient:
    """A client that must not be called."""

    async def get_json(self, url: str, **_: object) -> object:
        """Fail: nothing should be requested."""
        raise AssertionError(url)

    async def post_json(self, url: str, **_: object) -> object:
        """Fail: nothing should be requested."""
        raise AssertionError(url)

    async def get_text(self, url: str, **_: object) -> str:
        """Fail: nothing should be requested."""
        raise AssertionError(url)
