"""What the sandbox serves: the recorded payloads shipped as package data, or a synthesized scale.

A ``Dataset`` is the jobs of one target. A recorded one holds the items of a payload file;
a synthesized one (``Scale``) builds its items on demand from the recorded ones, each with
an id of its own, so a benchmark can ask for thousands of jobs without holding them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Dataset", "Scale", "load_datasets"]

_PAYLOADS = resources.files("jobping.sandbox") / "payloads"
_MAX_TARGETS = 9999
_MAX_JOBS = 1_000_000


@dataclass(frozen=True, slots=True)
class Scale:
    """Serve ``targets`` synthesized targets of ``jobs`` jobs each per source (a benchmark).

    The targets are called ``board-0001``, ``board-0002``, ...; their jobs cycle through the
    source's recorded jobs, each with an id of its own.
    """

    targets: int
    jobs: int

    def __post_init__(self) -> None:
        if not 1 <= self.targets <= _MAX_TARGETS:
            raise ValueError(f"scale targets must be 1 to {_MAX_TARGETS}, got {self.targets}")
        if not 1 <= self.jobs <= _MAX_JOBS:
            raise ValueError(f"scale jobs must be 1 to {_MAX_JOBS}, got {self.jobs}")

    def target_names(self) -> list[str]:
        """The names of the synthesized targets."""
        return [f"board-{number:04d}" for number in range(1, self.targets + 1)]


class Dataset:
    """The jobs of one target, served a page at a time.

    ``meta`` holds the payload's other top-level keys (an account name, a legal notice).
    With ``size`` and ``salt``, the dataset is synthesized: item ``k`` is recorded item
    ``k % len(items)`` with its ``id_key`` made unique by ``salt`` and ``k``.
    """

    __slots__ = ("_id_key", "_items", "_salt", "_size", "meta")

    def __init__(
        self,
        items: Sequence[dict[str, Any]],
        *,
        id_key: str,
        meta: Mapping[str, Any] | None = None,
        size: int | None = None,
        salt: int = 0,
    ) -> None:
        if size and not items:
            raise ValueError("a synthesized dataset needs recorded items to copy")
        self._items = items
        self._id_key = id_key
        self._size = len(items) if size is None else size
        self._salt = salt if size is not None else None
        self.meta = dict(meta or {})

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        kind = "recorded" if self._salt is None else "synthesized"
        return f"<Dataset {kind} jobs={self._size}>"

    @property
    def synthesized(self) -> bool:
        """Whether the items are synthesized (a ``Scale``): what it serves never changes."""
        return self._salt is not None

    def replace_items(self, items: Sequence[dict[str, Any]]) -> None:
        """Serve ``items`` from now on: a board that changed (a recorded dataset only)."""
        if self.synthesized:
            raise ValueError("a synthesized dataset cannot be edited")
        self._items = list(items)
        self._size = len(self._items)

    def items(self) -> list[dict[str, Any]]:
        """A copy of every item served now (a recorded dataset)."""
        return self.page(0, self._size)

    def page(self, start: int, stop: int) -> list[dict[str, Any]]:
        """The items from ``start`` up to ``stop`` (clamped to the dataset)."""
        start, stop = max(start, 0), min(stop, self._size)
        if (salt := self._salt) is None:
            return list(self._items[start:stop])
        return [self._synthesized(index, salt) for index in range(start, stop)]

    def _synthesized(self, index: int, salt: int) -> dict[str, Any]:
        item = self._items[index % len(self._items)]
        if self._id_key not in item:
            return item
        return {**item, self._id_key: _unique_id(item[self._id_key], salt, index)}


def load_datasets(
    source: str,
    files: Mapping[str, str],
    *,
    items_key: str | None,
    id_key: str,
    scale: Scale | None = None,
    decode: Callable[[bytes], Any] | None = None,
) -> dict[str, Dataset]:
    """The datasets of ``source`` by target: its recorded files, or ``scale``'s targets.

    ``files`` maps each target to a file of ``payloads/<source>/``; ``items_key`` names the
    list of jobs in it (None: the file is the list); ``decode`` reads a file (JSON by
    default).
    """
    read = decode or _json
    recorded = {
        target: _read(source, name, items_key, id_key, read) for target, name in files.items()
    }
    if scale is None:
        return recorded
    pool = [item for dataset in recorded.values() for item in dataset.page(0, len(dataset))]
    meta = next(iter(recorded.values())).meta
    return {
        name: Dataset(pool, id_key=id_key, meta=meta, size=scale.jobs, salt=number)
        for number, name in enumerate(scale.target_names(), start=1)
    }


def _read(
    source: str, name: str, items_key: str | None, id_key: str, decode: Callable[[bytes], Any]
) -> Dataset:
    """One payload file as a dataset."""
    payload = decode((_PAYLOADS / source / name).read_bytes())
    if items_key is None:
        return Dataset(payload, id_key=id_key)
    meta = {key: value for key, value in payload.items() if key != items_key}
    return Dataset(payload[items_key], id_key=id_key, meta=meta)


def _json(raw: bytes) -> Any:
    """A JSON payload (a UTF-8 BOM is skipped)."""
    return json.loads(raw.decode("utf-8-sig"))


def _unique_id(original: Any, salt: int, index: int) -> Any:
    """An id unique per (``salt``, ``index``), of the original's type (int or text)."""
    if isinstance(original, int) and not isinstance(original, bool):
        return salt * _MAX_JOBS + index
    return f"{original}-{salt:04d}-{index:06d}"
