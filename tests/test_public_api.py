"""The public surface and the dependency rules of STYLE.md, checked by parsing imports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("jobping", "scrapers")

#: Third-party SDKs, each allowed behind one place only (a file or a folder prefix).
SDK_HOMES = {
    "httpx": ("jobping/http/",),
    "httpx_aiohttp": ("jobping/http/",),
    "aiohttp": ("jobping/http/", "jobping/sandbox/"),
    "tenacity": ("jobping/http/_retry.py",),
    "psycopg": ("jobping/store/_postgres.py",),
    "psycopg_pool": ("jobping/store/_postgres.py",),
    "supabase": ("jobping/store/_supabase.py",),
    "procrastinate": ("jobping/worker/",),
    "openai": ("jobping/enrich/_enricher.py",),
    "typer": ("jobping/cli/",),
    "rich": ("jobping/cli/",),
}
LEAVES = ("jobping/errors.py", "jobping/redact.py", "jobping/models.py", "jobping/normalize/")
SCRAPER_MAY_IMPORT = {"jobping", "jobping.normalize", "jobping.testing"}


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module name ``path`` imports (absolute imports only; the project uses no others)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize(
    "package", ["jobping", "jobping.settings", "jobping.errors", "jobping.models"]
)
def test_all_names_exist(package: str) -> None:
    """Each public module's ``__all__`` names each thing once, and each name exists.

    The order is ruff's job (RUF022 sorts ``__all__`` isort-style).
    """
    module = importlib.import_module(package)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    assert [name for name in exported if not hasattr(module, name)] == []


def test_subpackage_surfaces_are_declared() -> None:
    """Every subpackage ``__init__`` declares an ``__all__`` whose names all exist."""
    for init in (ROOT / "jobping").rglob("__init__.py"):
        name = ".".join(init.parent.relative_to(ROOT).parts)
        module = importlib.import_module(name)
        exported = list(getattr(module, "__all__", ["<missing __all__>"]))
        assert [n for n in exported if not hasattr(module, n)] == [], name


def test_each_sdk_sits_behind_its_one_module() -> None:
    """httpx, tenacity, psycopg, supabase, openai, typer and rich are imported only at home."""
    breaches = []
    for path in _modules():
        for name in _imports(path):
            top = name.split(".")[0]
            homes = SDK_HOMES.get(top)
            if homes and not _rel(path).startswith(homes):
                breaches.append(f"{_rel(path)} imports {name}")
    assert breaches == []


def test_leaf_modules_import_nothing_from_jobping() -> None:
    """errors, redact, models and normalize depend on no other JobPing module."""
    breaches = []
    for path in _modules():
        rel = _rel(path)
        if not rel.startswith(LEAVES):
            continue
        for name in _imports(path):
            inside = name == "jobping" or name.startswith("jobping.")
            same_leaf = name.startswith(("jobping.normalize", "jobping.errors"))
            if inside and not (rel.startswith("jobping/normalize/") and same_leaf):
                breaches.append(f"{rel} imports {name}")
    assert breaches == []


def test_scrapers_use_only_the_public_api() -> None:
    """Built-in scrapers import only jobping, jobping.normalize and jobping.testing."""
    breaches = [
        f"{_rel(path)} imports {name}"
        for path in (ROOT / "scrapers").rglob("*.py")
        for name in _imports(path)
        if name.startswith("jobping") and name not in SCRAPER_MAY_IMPORT
    ]
    assert breaches == []


def test_only_the_cli_chooses_exit_codes() -> None:
    """No module outside cli/ calls sys.exit or reads sys.argv."""
    breaches = []
    for path in _modules():
        if _rel(path).startswith(("jobping/cli/", "jobping/__main__.py")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in {("sys", "exit"), ("sys", "argv")}
            ):
                breaches.append(f"{_rel(path)}:{node.lineno} sys.{node.attr}")
    assert breaches == []
