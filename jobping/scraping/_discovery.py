"""Find the installed scrapers: the built-in ``scrapers`` package and the entry points.

A third-party scraper is a ``Scraper`` subclass registered in the ``jobping.scrapers``
entry-point group under its name. A plugin that fails to import, is not a scraper, or
repeats a name becomes a row saying why it is not ready; discovery itself never fails.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

from jobping.errors import ConfigError, MissingCredential, UnknownScraper
from jobping.redact import preview
from jobping.scraping._base import Scraper, ScraperTier
from jobping.settings import Settings

__all__ = [
    "ENTRY_POINT_GROUP",
    "ScraperInfo",
    "check_configured_scrapers",
    "discover_scrapers",
    "find_scraper",
]

ENTRY_POINT_GROUP = "jobping.scrapers"
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_REQUIRED = {"name": str, "source": str, "base_url": str, "domains": tuple}


@dataclass(frozen=True, slots=True)
class ScraperInfo:
    """One row of ``jobping scrapers``: a scraper, or why it cannot run."""

    name: str
    origin: str
    """Where it comes from: ``scrapers.greenhouse`` or ``acme_jobs:Acme (acme-jobs 1.0)``."""
    scraper: type[Scraper] | None = None
    tier: ScraperTier | None = None
    domains: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    enabled: bool = True
    problem: str | None = None
    """Why it is not ready (a failed import, a duplicate name, a missing key), else None."""

    @property
    def ready(self) -> bool:
        """Whether it can run: it loaded, its name is its own and its keys are set."""
        return self.problem is None

    @property
    def status(self) -> str:
        """``ready`` or ``not ready: <reason>``."""
        return "ready" if self.ready else f"not ready: {self.problem}"


def discover_scrapers(
    settings: Settings, *, package: str = "scrapers", group: str = ENTRY_POINT_GROUP
) -> list[ScraperInfo]:
    """Every installed scraper as a row, sorted by name; never raises for a bad plugin.

    Built-ins come first, so a plugin repeating a built-in's name is the one not ready.
    """
    rows: list[ScraperInfo] = []
    seen: dict[str, str] = {}
    for name, origin, loaded in [*_builtins(package), *_plugins(group)]:
        row = _row(name, origin, loaded, settings)
        if row.scraper is not None and row.name in seen:
            row = ScraperInfo(row.name, origin, problem=f"duplicate name: {seen[row.name]}")
        elif row.scraper is not None:
            seen[row.name] = f"already provided by {origin}"
        rows.append(row)
    return sorted(rows, key=lambda row: row.name)


def check_configured_scrapers(settings: Settings, rows: list[ScraperInfo]) -> None:
    """Stop on a ``[scrapers.NAME]`` section whose scraper is not installed (a typo).

    Raises:
        ConfigError: naming each such section and the installed names.
    """
    installed = sorted({row.name for row in rows})
    unknown = sorted(set(settings.scrapers) - set(installed))
    if unknown:
        raise ConfigError(
            {
                f"SCRAPERS (scrapers.{name})": f"no installed scraper is called {name!r}; "
                f"installed: {', '.join(installed)}"
                for name in unknown
            }
        )


def find_scraper(
    name: str, settings: Settings, *, package: str = "scrapers", group: str = ENTRY_POINT_GROUP
) -> ScraperInfo:
    """The row of the scraper called ``name`` (a usable one first).

    Raises:
        UnknownScraper: no installed scraper has that name.
    """
    rows = discover_scrapers(settings, package=package, group=group)
    matches = sorted((row for row in rows if row.name == name), key=lambda row: not row.ready)
    if not matches:
        raise UnknownScraper(name, sorted({row.name for row in rows}))
    return matches[0]


def _builtins(package: str) -> Iterator[tuple[str, str, Any]]:
    """(name, origin, class or problem) for each scraper class of each module."""
    try:
        root = importlib.import_module(package)
    except Exception as exc:  # noqa: BLE001 - a broken package is a row, not a crash
        yield package, package, _failure("import failed", exc)
        return
    for module_info in pkgutil.iter_modules(getattr(root, "__path__", [])):
        if module_info.name.startswith("_"):
            continue
        origin = f"{package}.{module_info.name}"
        try:
            module = importlib.import_module(origin)
        except Exception as exc:  # noqa: BLE001 - any import error is shown as a row
            yield module_info.name, origin, _failure("import failed", exc)
            continue
        for cls in _scraper_classes(module):
            yield str(getattr(cls, "name", module_info.name)), origin, cls


def _plugins(group: str) -> Iterator[tuple[str, str, Any]]:
    """(name, origin, class or problem) for each entry point of ``group``."""
    for entry in entry_points(group=group):
        origin = _origin(entry)
        try:
            loaded = entry.load()
        except Exception as exc:  # noqa: BLE001 - a plugin's import may raise anything
            yield entry.name, origin, _failure("import failed", exc)
            continue
        loaded_name = getattr(loaded, "name", None)
        if isinstance(loaded_name, str) and loaded_name != entry.name:
            loaded = f"entry point {entry.name!r} names a scraper called {loaded_name!r}"
        yield entry.name, origin, loaded


def _scraper_classes(module: ModuleType) -> list[type[Scraper]]:
    """The concrete ``Scraper`` subclasses defined in ``module``."""
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Scraper)
        and obj.__module__ == module.__name__
        and not inspect.isabstract(obj)
    ]


def _origin(entry: EntryPoint) -> str:
    dist = entry.dist
    return f"{entry.value} ({dist.name} {dist.version})" if dist else entry.value


def _row(name: str, origin: str, loaded: Any, settings: Settings) -> ScraperInfo:
    """The row of one loaded class, or of the problem found loading it."""
    if isinstance(loaded, str):
        return ScraperInfo(name, origin, problem=loaded)
    if problem := _class_problem(loaded):
        return ScraperInfo(name, origin, problem=problem)
    try:
        scraper: Scraper = loaded()
        targets = tuple(str(target) for target in scraper.configured_targets(settings))
        missing = scraper.missing_credentials(settings)
        config = scraper.config(settings)
        tier = scraper.configured_tier(settings)
    except Exception as exc:  # noqa: BLE001 - a plugin's own code may raise anything
        return ScraperInfo(name, origin, problem=_failure("failed", exc))
    return ScraperInfo(
        name=name,
        origin=origin,
        scraper=loaded,
        tier=tier,
        domains=tuple(scraper.domains),
        targets=targets,
        enabled=config.enabled,
        problem=str(MissingCredential(missing[0])) if missing else None,
    )


def _class_problem(obj: Any) -> str | None:
    """Why ``obj`` is not a usable scraper class, or None."""
    if not (inspect.isclass(obj) and issubclass(obj, Scraper)):
        return preview(f"not a Scraper subclass: {obj!r}", 200)
    if inspect.isabstract(obj):
        return f"{obj.__qualname__} does not implement iter_jobs"
    for attr, kind in _REQUIRED.items():
        if not isinstance(getattr(obj, attr, None), kind):
            return f"{obj.__qualname__}.{attr} is not set (a {kind.__name__})"
    if not _NAME.fullmatch(obj.name):
        return f"invalid name {obj.name!r} (lower-case letters, digits, - and _)"
    return None


def _failure(what: str, exc: Exception) -> str:
    """A one-line reason: ``import failed: ModuleNotFoundError: No module named 'x'``."""
    return preview(f"{what}: {type(exc).__name__}: {' '.join(str(exc).split())}", 200)
