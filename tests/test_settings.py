from __future__ import annotations

from pathlib import Path

import pytest

from jobping.errors import ConfigError
from jobping.settings import load_settings

SENTINEL = "sk-test-SENTINEL-0123456789abcdef"


def _config_error(**env: str) -> ConfigError:
    """Load settings with ``env`` set and return the ConfigError it must raise."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        with pytest.raises(ConfigError) as caught:
            load_settings()
    return caught.value


def test_defaults_match_the_documented_budget_limits() -> None:
    """With nothing configured the budget limits are the documented defaults."""
    settings = load_settings()
    assert settings.openai_daily_token_limit == 100_000
    assert settings.openai_monthly_token_limit == 3_000_000
    assert settings.openai_daily_cost_limit == 10.0
    assert settings.openai_monthly_cost_limit == 300.0
    assert settings.openai_enable_fallback is True
    assert settings.database_url == "sqlite:///jobping.db"


def test_env_beats_dotenv_beats_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An env var wins over .env, which wins over jobping.toml, which wins over the default."""
    (tmp_path / "jobping.toml").write_text(
        "run_min_jobs = 11\nrun_target_jobs = 222\nrun_batch_size = 33\n"
    )
    (tmp_path / ".env").write_text("RUN_TARGET_JOBS=333\nRUN_BATCH_SIZE=44\n")
    monkeypatch.setenv("RUN_BATCH_SIZE", "55")
    settings = load_settings()
    assert (settings.run_min_jobs, settings.run_target_jobs, settings.run_batch_size) == (
        11,
        333,
        55,
    )
    assert settings.run_backfill_days == 7


def test_config_path_from_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """JOBPING_CONFIG names the TOML file, including nested tables."""
    path = tmp_path / "elsewhere.toml"
    path.write_text(
        '[scrapers.greenhouse]\ntier = "primary"\ntargets = ["gitlab"]\n'
        '[http_domains."api.adzuna.com"]\nminute_quota = 25\n'
    )
    monkeypatch.setenv("JOBPING_CONFIG", str(path))
    settings = load_settings()
    assert settings.scrapers["greenhouse"].targets == ["gitlab"]
    assert settings.http_domains["api.adzuna.com"]["minute_quota"] == 25


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    """A --config path that does not exist stops with a message naming the file."""
    with pytest.raises(ConfigError, match=r"nothere\.toml does not exist"):
        load_settings(tmp_path / "nothere.toml")


def test_toml_syntax_error_is_a_config_error(tmp_path: Path) -> None:
    """A broken TOML file is reported as a config error naming the file."""
    path = tmp_path / "bad.toml"
    path.write_text("run_min_jobs = = 3\n")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_settings(path)


@pytest.mark.parametrize(
    ("env", "key", "problem"),
    [
        ({"OPENAI_DAILY_TOKEN_LIMIT": "lots"}, "OPENAI_DAILY_TOKEN_LIMIT", "valid integer"),
        ({"OPENAI_DAILY_COST_LIMIT": "-1"}, "OPENAI_DAILY_COST_LIMIT", "greater than or equal"),
        ({"OPENAI_ENABLE_FALLBACK": "perhaps"}, "OPENAI_ENABLE_FALLBACK", "valid boolean"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL", "sqlite:///"),
        ({"QUOTA_TIMEZONE": "Mars/Olympus"}, "QUOTA_TIMEZONE", "unknown timezone"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT", "'text' or 'json'"),
    ],
)
def test_invalid_value_names_the_key(env: dict[str, str], key: str, problem: str) -> None:
    """Each invalid value stops loading with a message naming its env var and the problem."""
    error = _config_error(**env)
    (message,) = [p for k, p in error.problems.items() if k.startswith(key + " ")]
    assert problem in message
    assert key in str(error)


def test_several_bad_keys_are_all_reported() -> None:
    """Every bad key is named at once, not only the first."""
    error = _config_error(RUN_MIN_JOBS="-3", RUN_BATCH_SIZE="0")
    assert {k.split()[0] for k in error.problems} == {"RUN_MIN_JOBS", "RUN_BATCH_SIZE"}


def test_config_error_never_shows_a_secret() -> None:
    """A secret set beside a bad value does not appear in the error or in the settings repr."""
    error = _config_error(OPENAI_API_KEY=SENTINEL, RUN_MIN_JOBS="x")
    assert SENTINEL not in str(error)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENAI_API_KEY", SENTINEL)
        settings = load_settings()
    assert SENTINEL not in repr(settings)
    assert SENTINEL not in str(settings.model_dump(mode="json"))
    assert settings.secret_values() == [SENTINEL]


def test_a_misspelled_toml_key_is_named_with_the_closest_setting(tmp_path: Path) -> None:
    """Regression (#10): unknown top-level keys stop the program, each with a suggestion."""
    config = tmp_path / "jobping.toml"
    config.write_text('database_ulr = "sqlite:///x.db"\nrun_batchsize = 5\nzzz = 1\n')

    with pytest.raises(ConfigError) as error:
        load_settings(config, env_file=None)

    assert error.value.problems == {
        f"{config}: database_ulr": "unknown setting; did you mean 'database_url'?",
        f"{config}: run_batchsize": "unknown setting; did you mean 'run_batch_size'?",
        f"{config}: zzz": "unknown setting",
    }


def test_a_bad_json_variable_is_blamed_on_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression (#10): HTTP_DOMAINS that is not JSON names the variable, not jobping.toml."""
    monkeypatch.setenv("HTTP_DOMAINS", "{not json sk-secret")

    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)

    assert list(error.value.problems) == ["HTTP_DOMAINS (environment variable)"]
    assert "sk-secret" not in str(error.value)


def test_a_bad_json_value_in_dotenv_is_blamed_on_the_file(tmp_path: Path) -> None:
    """A value from .env that is not JSON names the variable and the .env file."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("HTTP_DOMAINS={oops\n")

    with pytest.raises(ConfigError) as error:
        load_settings(env_file=dotenv)

    assert list(error.value.problems) == [f"HTTP_DOMAINS ({dotenv})"]
