"""Discovery: the built-in scrapers, a pip-installed plugin, and broken ones as rows."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobping import Settings
from jobping.errors import UnknownScraper
from jobping.scraping import ScraperInfo, discover_scrapers, find_scraper

PLUGIN_DIST = Path(__file__).parents[1] / "plugin_dist"
BUILT_IN = [
    "adzuna", "arbeitnow", "ashby", "bamboohr", "breezy", "greenhouse", "hackernews",
    "himalayas", "jobicy", "jsearch", "lever", "personio", "pinpoint", "recruitee", "reed",
    "remotive", "rippling", "smartrecruiters", "teamtailor", "themuse", "weworkremotely",
    "workable", "workday",
]  # fmt: skip
NO_PLUGINS = "jobping.scrapers.none"  # an entry-point group nothing registers in


def rows_by_name(rows: list[ScraperInfo]) -> dict[str, ScraperInfo]:
    """The rows by name (the names are unique when no plugin is installed)."""
    return {row.name: row for row in rows}


def build_wheel(source: Path, out: Path) -> Path:
    """A wheel of ``source`` (its pyproject's name, version and entry points), zipped by hand.

    Hatchling is not available offline; a wheel is a zip with a ``.dist-info`` folder.
    """
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    info = f"{name}-{version}.dist-info"
    points = project["entry-points"]
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
        for group, entries in points.items()
    )
    metadata = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {version}\n"
    wheel_info = "Wheel-Version: 1.0\nGenerator: jobping-tests\nRoot-Is-Purelib: true\n"
    files = {
        "jobping_acme.py": (source / "jobping_acme.py").read_bytes(),
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": (wheel_info + "Tag: py3-none-any\n").encode(),
        f"{info}/entry_points.txt": entry_points.encode(),
    }
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,", ""]).encode()
    wheel = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory the plugin distribution is pip-installed into (offline, once)."""
    work = tmp_path_factory.mktemp("plugin")
    wheel = build_wheel(PLUGIN_DIST, work)
    site = work / "site"
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index"]
    command += ["--no-cache-dir", "--disable-pip-version-check", "--target", str(site), str(wheel)]
    env = {**os.environ, "PIP_NO_INPUT": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture
def installed_plugin(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The installed plugin on ``sys.path`` for one test."""
    monkeypatch.syspath_prepend(str(plugin_site))
    yield plugin_site
    sys.modules.pop("jobping_acme", None)


def test_built_in_scrapers_are_all_listed_with_their_rows() -> None:
    """The built-ins, sorted; keyless ones ready, keyed ones saying which key is missing."""
    rows = discover_scrapers(Settings(), group=NO_PLUGINS)

    assert [row.name for row in rows] == BUILT_IN
    by_name = rows_by_name(rows)
    greenhouse = by_name["greenhouse"]
    assert (greenhouse.status, greenhouse.tier, greenhouse.origin) == (
        "ready",
        "primary",
        "scrapers.greenhouse",
    )
    assert greenhouse.domains == ("boards-api.greenhouse.io",)
    assert greenhouse.targets == ("gitlab", "airbnb", "databricks")
    assert by_name["reed"].status == "not ready: REED_API_KEY is not set"
    assert by_name["adzuna"].status == "not ready: ADZUNA_APP_ID is not set"
    assert by_name["jsearch"].status == "not ready: JSEARCH_API_KEY is not set"
    assert by_name["themuse"].ready  # its key is optional
    assert [row.name for row in rows if not row.ready] == ["adzuna", "jsearch", "reed"]


def test_config_sets_targets_tier_and_enabled_and_keys_make_ready() -> None:
    """``[scrapers.<name>]`` targets, tier and enabled show in the row; a set key readies it."""
    settings = Settings.model_validate(
        {
            "reed_api_key": "k",
            "scrapers": {
                "greenhouse": {"targets": ["stripe", "figma"], "tier": "individual"},
                "lever": {"enabled": False},
            },
        }
    )
    by_name = rows_by_name(discover_scrapers(settings, group=NO_PLUGINS))

    assert (by_name["greenhouse"].targets, by_name["greenhouse"].tier) == (
        ("stripe", "figma"),
        "individual",
    )
    assert by_name["lever"].enabled is False
    assert by_name["lever"].tier == "primary"  # the scraper's own when the config is silent
    assert by_name["reed"].ready


def test_pip_installed_plugin_shows_up_and_bad_entry_points_become_rows(
    installed_plugin: Path,
) -> None:
    """The plugin is listed; its duplicate name and its broken import are 'not ready' rows."""
    rows = discover_scrapers(Settings())

    acme = next(row for row in rows if row.name == "acme")
    assert acme.status == "ready"
    assert acme.origin == "jobping_acme:AcmeJobs (jobping-acme-plugin 1.0.0)"
    assert (acme.domains, acme.targets, acme.tier) == (
        ("jobs.acme.example",),
        ("main",),
        "individual",
    )
    greenhouse = [row for row in rows if row.name == "greenhouse"]
    assert [(row.origin, row.status) for row in greenhouse] == [
        ("scrapers.greenhouse", "ready"),
        (
            "jobping_acme:ShadowGreenhouse (jobping-acme-plugin 1.0.0)",
            "not ready: duplicate name: already provided by scrapers.greenhouse",
        ),
    ]
    broken = next(row for row in rows if row.name == "broken")
    assert broken.status == (
        "not ready: import failed: ModuleNotFoundError: No module named 'jobping_acme_missing'"
    )
    assert find_scraper("greenhouse", Settings()).origin == "scrapers.greenhouse"


def test_find_scraper_names_the_installed_ones_when_unknown() -> None:
    """An unknown name raises ``UnknownScraper`` listing the installed scrapers."""
    with pytest.raises(
        UnknownScraper, match="unknown scraper 'greenhose'; installed: adzuna, arbeitnow, ashby, "
    ):
        find_scraper("greenhose", Settings(), group=NO_PLUGINS)


def test_broken_modules_and_bad_classes_in_a_package_become_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module failing to import, a class without domains, a bad name: rows, no crash."""
    package = tmp_path / "local_scrapers"
    package.mkdir()
    (package / "__init__.py").write_text('"""Local scrapers."""\n')
    (package / "_private.py").write_text("raise RuntimeError('never imported')\n")
    (package / "explodes.py").write_text("raise RuntimeError('boom at import')\n")
    (package / "odd.py").write_text(
        textwrap.dedent(
            """
            from jobping.scraping import Scraper


            class NoDomains(Scraper):
                name = "nodomains"
                source = "x"
                base_url = "https://x.example"

                async def iter_jobs(self, ctx, target):
                    yield None


            class BadName(NoDomains):
                name = "Bad Name"
                domains = ("x.example",)
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = discover_scrapers(Settings(), package="local_scrapers", group=NO_PLUGINS)

    assert [(row.name, row.status) for row in rows] == [
        ("Bad Name", "not ready: invalid name 'Bad Name' (lower-case letters, digits, - and _)"),
        ("explodes", "not ready: import failed: RuntimeError: boom at import"),
        ("nodomains", "not ready: NoDomains.domains is not set (a tuple)"),
    ]
    for name in ("local_scrapers", "local_scrapers.explodes", "local_scrapers.odd"):
        sys.modules.pop(name, None)
