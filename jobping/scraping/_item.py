"""Typed reads of decoded JSON: what a scraper reads from a page or an item, checked.

Every read raises ``ItemError`` with a reason naming the key when the value has the wrong
type, so a malformed item is skipped with that reason (and a malformed page fails its
target) instead of a ``KeyError`` or ``TypeError`` escaping the scraper.
"""

from __future__ import annotations

import math
from typing import Any

from jobping.redact import preview

__all__ = ["Item", "ItemError"]


class ItemError(ValueError):
    """An item (or a page) is not the shape the scraper expects; the message says why.

    Never escapes the SDK: ``ScrapeContext.jobs`` skips the item, ``Scraper.scrape`` turns
    one raised at page level into ``PayloadError``.
    """


class Item:
    """A read-only view of one JSON object with typed, checked reads.

    Absent keys and ``null`` read as None (or empty); a value of the wrong type raises
    ``ItemError``.
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def of(cls, value: Any) -> Item:
        """View ``value`` (a decoded page, say) as an object, or raise ``ItemError``."""
        if not isinstance(value, dict):
            raise ItemError(f"expected a JSON object, got {_kind(value)}")
        return cls(value)

    @staticmethod
    def list_of(value: Any) -> list[Any]:
        """``value`` (a page that is a top-level array) as a list, or raise ``ItemError``."""
        if not isinstance(value, list):
            raise ItemError(f"expected a JSON list, got {_kind(value)}")
        return value

    def __repr__(self) -> str:
        return f"<Item keys={sorted(self._data)[:8]}>"

    def get(self, key: str) -> Any:
        """The raw value at ``key`` (None when absent)."""
        return self._data.get(key)

    def text(self, key: str) -> str | None:
        """A string, stripped; None when absent, null or blank."""
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ItemError(f"{key!r} is {_kind(value)}, expected text")
        return value.strip() or None

    def req_text(self, key: str) -> str:
        """A string that must be present and not blank."""
        if (value := self.text(key)) is None:
            raise ItemError(f"missing {key!r}")
        return value

    def ident(self, key: str) -> str:
        """An id: a non-blank string or an integer, as a string."""
        value = self._data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.req_text(key)

    def number(self, key: str) -> float | None:
        """A finite number (a numeric string too); None when absent, null or blank."""
        value = self._data.get(key)
        if isinstance(value, str):
            value = _parse_number(key, value)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ItemError(f"{key!r} is {_kind(value)}, expected a number")
        if not math.isfinite(value):
            raise ItemError(f"{key!r} is not a finite number")
        return float(value)

    def integer(self, key: str) -> int | None:
        """A whole number (``3`` or ``3.0``); None when absent or null."""
        value = self.number(key)
        if value is None:
            return None
        if not value.is_integer():
            raise ItemError(f"{key!r} is not a whole number")
        return int(value)

    def flag(self, key: str) -> bool | None:
        """A boolean (also ``0``/``1`` and ``"true"``/``"false"``/``"0"``/``"1"``)."""
        value = self._data.get(key)
        if value is None or isinstance(value, bool):
            return value
        if value in (0, 1) or value in ("0", "1"):
            return bool(int(value))
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ItemError(f"{key!r} is {_kind(value)}, expected true or false")

    def obj(self, key: str) -> Item:
        """A nested object; an empty one when absent or null."""
        value = self._data.get(key)
        if value is None:
            return Item({})
        if not isinstance(value, dict):
            raise ItemError(f"{key!r} is {_kind(value)}, expected an object")
        return Item(value)

    def array(self, key: str) -> list[Any]:
        """A list; empty when absent or null."""
        value = self._data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ItemError(f"{key!r} is {_kind(value)}, expected a list")
        return value

    def req_array(self, key: str) -> list[Any]:
        """A list that must be present (the items of a page)."""
        if key not in self._data:
            raise ItemError(f"missing {key!r}")
        return self.array(key)

    def objects(self, key: str) -> list[Item]:
        """A list of objects; absent or null is empty, an element of another type is skipped."""
        return [Item(value) for value in self.array(key) if isinstance(value, dict)]

    def texts(self, key: str, field: str | None = None) -> list[str]:
        """The non-blank strings of a list (or the ``field`` of its objects); others dropped."""
        values = [item.get(field) for item in self.objects(key)] if field else self.array(key)
        return [value.strip() for value in values if isinstance(value, str) and value.strip()]


def _parse_number(key: str, text: str) -> float | None:
    """A numeric string as a float; None when blank."""
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ItemError(f"{key!r} is not a number: {preview(text, 40)!r}") from None


def _kind(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages."""
    names = {dict: "an object", list: "a list", str: "text", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
