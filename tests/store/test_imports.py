"""Importing the store loads no heavy backend: psycopg and supabase wait for open_store."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.processes import REPO

# Prints which of the heavy backend libraries are loaded after importing jobping.store,
# and then after opening each backend's package as open_store does when a URL names it.
PROBE = """
import json, sys
heavy = ("psycopg", "psycopg_pool", "supabase", "postgrest")
def loaded():
    return sorted(name for name in heavy if name in sys.modules)
import jobping.store
store = loaded()
import jobping.store.postgres, jobping.store.supabase
print(json.dumps({"store": store, "backends": loaded()}))
"""


def test_importing_the_store_imports_neither_psycopg_nor_supabase() -> None:
    """A fresh interpreter importing jobping.store has not loaded psycopg or supabase.

    The same probe then imports the backend packages, so it sees the libraries when they are
    loaded (the check cannot pass by looking for the wrong names).
    """
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "store": [],
        "backends": ["postgrest", "psycopg", "psycopg_pool", "supabase"],
    }
