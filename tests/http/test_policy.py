"""Each domain's policy, resolved by http from the settings' plain data (issue #13)."""

from __future__ import annotations

import pytest

from jobping.errors import ConfigError
from jobping.http import DomainPolicies, DomainPolicy, ScrapeClient
from jobping.settings import Settings, load_settings


def _config_error(**env: str) -> ConfigError:
    """Load settings with ``env`` set, resolve their policies, and return the ConfigError."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        settings = load_settings(env_file=None)
        with pytest.raises(ConfigError) as caught:
            DomainPolicies.from_settings(settings)
    return caught.value


@pytest.mark.parametrize(
    ("env", "key", "problem"),
    [
        ({"HTTP_DEFAULTS__MAX_CONCURRENCY": "0"}, "HTTP_DEFAULTS__MAX_CONCURRENCY", "greater"),
        ({"HTTP_DEFAULTS__DALY_QUOTA": "5"}, "HTTP_DEFAULTS__DALY_QUOTA", "Extra inputs"),
        (
            {"HTTP_DOMAINS": '{"api.reed.co.uk": {"daily_quota": -5}}'},
            "HTTP_DOMAINS",
            "api.reed.co.uk.daily_quota",
        ),
        (
            {"HTTP_DOMAINS": '{"api.reed.co.uk": {"daly_quota": 5}}'},
            "HTTP_DOMAINS",
            "daly_quota: Extra inputs are not permitted",
        ),
    ],
)
def test_invalid_policy_names_the_key(env: dict[str, str], key: str, problem: str) -> None:
    """Each invalid policy value stops with a message naming its env var and the problem."""
    error = _config_error(**env)
    (message,) = [p for k, p in error.problems.items() if k.startswith(key + " ")]
    assert problem in message
    assert key in str(error)


def test_every_bad_override_is_named_at_once() -> None:
    """Two bad domains are both named, not only the first."""
    error = _config_error(HTTP_DOMAINS='{"a.example": {"daily_quota": 0}, "b.example": {"x": 1}}')
    (message,) = error.problems.values()
    assert "a.example.daily_quota" in message
    assert "b.example.x" in message


def test_the_client_stops_on_a_bad_policy_before_any_request() -> None:
    """ScrapeClient.from_settings resolves every policy up front: a bad one is a ConfigError."""
    settings = Settings(http_domains={"api.reed.co.uk": {"daily_quota": 0}})
    with pytest.raises(ConfigError, match="HTTP_DOMAINS"):
        ScrapeClient.from_settings(settings, None)


def test_policy_takes_the_longest_matching_override() -> None:
    """A domain gets the defaults plus the most specific override, subdomains included."""
    settings = load_settings(
        env_file=None,
        http_domains={"adzuna.com": {"daily_quota": 250}, "api.adzuna.com": {"minute_quota": 25}},
        http_defaults=DomainPolicy(max_concurrency=4),
    )
    policies = DomainPolicies.from_settings(settings)
    api = policies("api.adzuna.com")
    assert (api.minute_quota, api.daily_quota, api.max_concurrency) == (25, None, 4)
    assert policies("www.adzuna.com").daily_quota == 250
    assert policies("notadzuna.com") == DomainPolicy(max_concurrency=4)
    assert policies.domains == ["adzuna.com", "api.adzuna.com"]


def test_env_defaults_are_read_as_policy_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_DEFAULTS__DAILY_QUOTA sets one field of the default policy, the rest stay."""
    monkeypatch.setenv("HTTP_DEFAULTS__DAILY_QUOTA", "40")
    policy = DomainPolicies.from_settings(load_settings(env_file=None))("example.com")
    assert policy == DomainPolicy(daily_quota=40)


@pytest.mark.parametrize(
    ("domain", "quota"),
    [("api.reed.co.uk:8443", 7), ("[::1]:8080", 9), ("::1", 9), ("127.0.0.1:1234", None)],
)
def test_policy_ignores_the_port(domain: str, quota: int | None) -> None:
    """A per-domain state key with a port still matches its host's override."""
    settings = load_settings(
        env_file=None,
        http_domains={"api.reed.co.uk": {"daily_quota": 7}, "::1": {"daily_quota": 9}},
    )
    assert DomainPolicies.from_settings(settings)(domain).daily_quota == quota
