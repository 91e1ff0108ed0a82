from __future__ import annotations

import re
from pathlib import Path

from jobping.http import DomainPolicy
from jobping.settings import CONFIG_ENV_VAR, Settings

ENV_EXAMPLE = Path(__file__).parents[1] / ".env.example"


def _documented_names() -> list[str]:
    """The env var names .env.example sets or shows commented out."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return pattern.findall(ENV_EXAMPLE.read_text())


def test_every_setting_is_documented() -> None:
    """Each Settings field has its env var in .env.example."""
    names = set(_documented_names())
    missing = {name.upper() for name in Settings.model_fields} - names
    assert not missing, f".env.example lacks {sorted(missing)}"
    assert CONFIG_ENV_VAR in names


def test_every_documented_name_is_a_setting() -> None:
    """.env.example documents no variable that Settings would ignore."""
    known = {name.upper() for name in Settings.model_fields} | {CONFIG_ENV_VAR}
    known |= {f"HTTP_DEFAULTS__{name.upper()}" for name in DomainPolicy.model_fields}
    unknown = set(_documented_names()) - known
    assert not unknown, f".env.example documents unknown {sorted(unknown)}"
