from __future__ import annotations

from pathlib import Path

import pytest

from jobping.cli._exit import ExitCode
from tests.helpers import run_cli


def test_enrich_without_a_key_is_a_configuration_error(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression (#10): no OPENAI_API_KEY is exit 2 (configuration), naming the variable."""
    code, out, err = run_cli(["enrich"], capsys)

    assert (code, out) == (ExitCode.CONFIG, "")
    assert "OPENAI_API_KEY" in err
