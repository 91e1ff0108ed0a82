"""The public surface and the dependency rules of STYLE.md, checked by parsing imports."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("jobping", "scrapers")

#: Third-party SDKs, each allowed behind one place only (a file or a folder prefix).
SDK_HOMES = {
    "httpx": ("jobping/http/",),
    "httpx_aiohttp": ("jobping/http/",),
    "aiohttp": ("jobping/http/", "jobping/sandbox/"),
    "tenacity": ("jobping/_retry.py",),
    "psycopg": ("jobping/store/postgres/",),
    "psycopg_pool": ("jobping/store/postgres/",),
    "supabase": ("jobping/store/supabase/",),
    "postgrest": ("jobping/store/supabase/",),
    "openai": ("jobping/enrich/_enricher.py",),
    "typer": ("jobping/cli/",),
    # the views, loaded when a command renders: `jobping --help` never imports rich
    "rich": ("jobping/cli/_views/", "jobping/cli/_console.py"),
}
LEAVES = (
    "jobping/errors.py",
    "jobping/redact.py",
    "jobping/models.py",
    "jobping/_database_urls.py",
    "jobping/normalize/",
)
#: What ``jobping.settings`` may import from jobping: leaves only, never http, budget or store.
SETTINGS_MAY_IMPORT = {"jobping._version", "jobping._database_urls", "jobping.errors"}
SCRAPER_MAY_IMPORT = {"jobping", "jobping.normalize", "jobping.testing"}
#: The store's backend packages: only ``jobping.store`` itself chooses one (``open_store``).
STORE_BACKENDS = ("jobping.store.sqlite", "jobping.store.postgres", "jobping.store.supabase")


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


def _imports_and_members(path: Path) -> set[str]:
    """:func:`_imports`, plus ``module.name`` for each ``from module import name``."""
    names = _imports(path)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
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


def _surfaces() -> list[tuple[Path, str]]:
    """Each package's ``__init__.py`` and its dotted name."""
    inits = sorted((ROOT / "jobping").rglob("__init__.py"))
    return [(init, ".".join(init.parent.relative_to(ROOT).parts)) for init in inits]


def _bound_names(init: Path, package: str) -> set[str]:
    """The names an ``__init__`` defines or imports from its own package, to export them.

    A name the ``__init__`` itself uses (a helper of its own code) is not counted.
    """
    tree = ast.parse(init.read_text())
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            continue
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names - used


def _public(names: set[str] | list[str]) -> set[str]:
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize(("init", "package"), _surfaces(), ids=[p for _, p in _surfaces()])
def test_each_surface_lists_every_public_name(init: Path, package: str) -> None:
    """Every public name a package ``__init__`` defines or re-exports is in its ``__all__``."""
    module = importlib.import_module(package)
    exported = _public(getattr(module, "__all__", []))
    assert _public(_bound_names(init, package)) - exported == set(), package


def _signature_text(obj: Any) -> str:
    """The annotations of ``obj``'s public signatures (its fields, methods, properties)."""
    functions: list[Any] = []
    if inspect.isclass(obj):
        for klass in obj.__mro__:
            if not klass.__module__.startswith("jobping"):
                continue
            functions.append(klass)  # its field annotations
            for name, member in vars(klass).items():
                if name.startswith("_") and name != "__init__":
                    continue
                if isinstance(member, property):
                    functions.append(member.fget)
                elif isinstance(member, classmethod | staticmethod):
                    functions.append(member.__func__)
                elif callable(member):
                    functions.append(member)
    elif callable(obj):
        functions.append(obj)
    return " ".join(str(hint) for f in functions for hint in inspect.get_annotations(f).values())


def _documented(module: ModuleType, name: str) -> str:
    """The text that documents ``module``'s surface.

    The README, the package's docstring, the docstring of the module defining ``name``, and
    the annotations of the package's public signatures.
    """
    obj = getattr(module, name)
    home = inspect.getmodule(obj) if inspect.isclass(obj) or inspect.isfunction(obj) else None
    signatures = (_signature_text(getattr(module, other)) for other in module.__all__)
    return " ".join(
        [
            (ROOT / "README.md").read_text(),
            module.__doc__ or "",
            (home.__doc__ or "") if home is not None and home is not module else "",
            *signatures,
        ]
    )


def _used_outside(init: Path, module: ModuleType, name: str) -> bool:
    """Whether source outside the package (never tests) names ``name``.

    For the top-level package, outside means any module but ``jobping/__init__.py`` and
    the one that defines the name.
    """
    word = re.compile(rf"\b{re.escape(name)}\b")
    package_dir = init.parent
    obj = getattr(module, name)
    home = inspect.getmodule(obj) if inspect.isclass(obj) or inspect.isfunction(obj) else None
    for path in [*_modules(), *(ROOT / "scripts").rglob("*.py")]:
        if package_dir == ROOT / "jobping":
            inside = path == init or (home is not None and path == Path(home.__file__ or ""))
        else:
            inside = path.is_relative_to(package_dir)
        if not inside and word.search(path.read_text()):
            return True
    return False


@pytest.mark.parametrize(("init", "package"), _surfaces(), ids=[p for _, p in _surfaces()])
def test_each_listed_name_is_used_outside_tests_or_documented(init: Path, package: str) -> None:
    """No test-only name in a public ``__all__``: each is used by other code or documented."""
    module = importlib.import_module(package)
    unused = [
        name
        for name in _public(getattr(module, "__all__", []))
        if not _used_outside(init, module, name)
        and not re.search(rf"\b{re.escape(name)}\b", _documented(module, name))
    ]
    assert sorted(unused) == [], package


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


def _store_internal(name: str) -> bool:
    """Whether ``name`` is a private module of the store or one of its backend packages."""
    private = name.startswith("jobping.store._")
    return private or any(name == b or name.startswith(f"{b}.") for b in STORE_BACKENDS)


def test_only_the_store_imports_its_private_modules_and_backends() -> None:
    """Outside jobping/store/, code imports the store's public surface only (``jobping.store``).

    Tests outside tests/store/ too; the store's own tests may open its backends directly.
    """
    outside = [p for p in _modules() if not _rel(p).startswith("jobping/store/")]
    tests = [p for p in (ROOT / "tests").rglob("*.py") if not _rel(p).startswith("tests/store/")]
    breaches = [
        f"{_rel(path)} imports {name}"
        for path in outside + tests
        for name in _imports_and_members(path)
        if _store_internal(name)
    ]
    assert breaches == []


def test_the_layering_check_sees_a_private_store_import() -> None:
    """The check above flags private modules and backend packages, and not the public surface."""
    assert _store_internal("jobping.store._roles")
    assert _store_internal("jobping.store.postgres")
    assert _store_internal("jobping.store.supabase._store")
    assert not _store_internal("jobping.store")
    assert not _store_internal("jobping.store_extra")


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


def test_settings_import_only_leaves() -> None:
    """settings.py depends on no part that depends on it (no http, budget or store)."""
    inside = {n for n in _imports(ROOT / "jobping/settings.py") if n.startswith("jobping")}
    assert inside <= SETTINGS_MAY_IMPORT


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


#: Who may import each layer (besides the layer itself): services serve the command line
#: and the workers; nothing in the package depends on the command line.
LAYER_USERS = {
    "jobping.services": ("jobping/cli/", "jobping/worker/"),
    "jobping.cli": ("jobping/__main__.py",),
}


def _layer_breaches(layer: str, users: tuple[str, ...]) -> list[str]:
    home = layer.replace(".", "/") + "/"
    return [
        f"{_rel(path)} imports {name}"
        for path in _modules()
        if not _rel(path).startswith((home, *users))
        for name in _imports(path)
        if name == layer or name.startswith(layer + ".")
    ]


@pytest.mark.parametrize("layer", sorted(LAYER_USERS))
def test_layers_are_imported_only_from_above(layer: str) -> None:
    """services/ is imported only by cli/ (and worker/); cli/ by nothing but ``__main__``."""
    assert _layer_breaches(layer, LAYER_USERS[layer]) == []


def test_layer_check_sees_a_breach() -> None:
    """The layer check reports a module below the command line that imports it."""
    assert _layer_breaches("jobping.cli", ()) == ["jobping/__main__.py imports jobping.cli"]
