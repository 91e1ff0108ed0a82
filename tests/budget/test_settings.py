"""The LLM budget settings: the model chain is priced, thresholds are shares, no import cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jobping.budget import check_price_overrides
from jobping.errors import ConfigError
from jobping.settings import load_settings

REPO = Path(__file__).parents[2]


def test_an_unpriced_model_in_the_chain_is_a_config_error_naming_openai_models() -> None:
    """OPENAI_MODELS with a model that has no price fails the price check, naming the key."""
    settings = load_settings(env_file=None, openai_models=["gpt-5.4-mini", "llama-local"])
    with pytest.raises(ConfigError) as caught:
        check_price_overrides(settings)

    assert list(caught.value.problems) == ["OPENAI_MODELS (openai_models)"]
    assert "'llama-local'" in str(caught.value)


def test_a_configured_price_makes_a_new_model_usable() -> None:
    """openai_prices adds a model the shipped table does not know."""
    settings = load_settings(
        env_file=None,
        openai_models=["llama-local"],
        openai_prices={"llama-local": {"input": 0.1, "output": 0.2}},
    )
    assert settings.openai_models == ["llama-local"]
    assert "llama-local" in check_price_overrides(settings).models


def test_a_toml_price_override_may_give_a_retirement_date(tmp_path: Path) -> None:
    """In jobping.toml a model's ``retires`` is a TOML date; it is accepted as such."""
    config = tmp_path / "jobping.toml"
    config.write_text('[openai_prices."my-model"]\ninput = 0.5\noutput = 2\nretires = 2026-12-11\n')

    settings = load_settings(config, env_file=None, openai_models=["my-model"])

    assert str(settings.openai_prices["my-model"]["retires"]) == "2026-12-11"
    assert str(check_price_overrides(settings).price("my-model").retires) == "2026-12-11"


def test_a_bad_price_override_names_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A price that is not a number names OPENAI_PRICES and the field."""
    monkeypatch.setenv("OPENAI_PRICES", '{"gpt-5.4-mini": {"output": "free"}}')
    settings = load_settings(env_file=None)
    with pytest.raises(ConfigError, match=r"openai_prices\.gpt-5\.4-mini\.output"):
        check_price_overrides(settings)


@pytest.mark.parametrize("value", ["[]", "[0.9, 0.8]", "[0, 0.5]", "[0.8, 1.5]"])
def test_thresholds_must_be_increasing_shares(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """OPENAI_BUDGET_THRESHOLDS must be non-empty, increasing, each in (0, 1]."""
    monkeypatch.setenv("OPENAI_BUDGET_THRESHOLDS", value)
    with pytest.raises(ConfigError, match="OPENAI_BUDGET_THRESHOLDS"):
        load_settings(env_file=None)


@pytest.mark.parametrize("module", ["jobping.settings", "jobping.budget", "jobping.enrich"])
def test_each_module_imports_first_without_a_cycle(module: str) -> None:
    """Each of settings, budget and enrich imports first without tripping on another."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
