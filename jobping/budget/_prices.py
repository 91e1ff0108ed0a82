"""What a model costs: the shipped price table, config overrides, retirement dates.

Money is exact. Prices are :class:`~decimal.Decimal` US dollars per 1M tokens, which is also
micro-dollars (µUSD) per token, so a call's cost in µUSD is a plain sum of products; it is
rounded *up* to a whole µUSD (at most 1 µUSD per call, never in JobPing's favour) so that
the ledger can keep integer counters that a database adds atomically and without drift.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from importlib import resources

from jobping.errors import ConfigError
from jobping.settings import Settings

__all__ = [
    "MICRO_USD_PER_USD",
    "ModelPrice",
    "PriceOverrides",
    "PriceTable",
    "check_price_overrides",
]

MICRO_USD_PER_USD = 1_000_000
PriceOverrides = Mapping[str, Mapping[str, float | int | str | date]]
"""Config's ``openai_prices``: per model, any of input, cached_input, output, the three
``batch_`` rates, retires."""

_RATES = ("input", "cached_input", "output")
_BATCH_RATES = tuple(f"batch_{rate}" for rate in _RATES)
_FIELDS = frozenset((*_RATES, *_BATCH_RATES, "retires"))
_SNAPSHOT = re.compile(r"(?P<base>.+)-\d{4}-\d{2}-\d{2}")
_MODELS_KEY = "OPENAI_MODELS (openai_models)"


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """One model's rates in USD per 1M tokens (= µUSD per token) and its shutdown date.

    The ``batch_`` rates are the Batch API's; None: the Standard rate applies there too.
    """

    model: str
    input: Decimal
    cached_input: Decimal
    output: Decimal
    retires: date | None = None
    batch_input: Decimal | None = None
    batch_cached_input: Decimal | None = None
    batch_output: Decimal | None = None

    def at_batch_rates(self) -> ModelPrice:
        """This model's price through the Batch API (each missing batch rate: the Standard one)."""

        def rate(batch: Decimal | None, standard: Decimal) -> Decimal:
            return standard if batch is None else batch

        return ModelPrice(
            self.model,
            rate(self.batch_input, self.input),
            rate(self.batch_cached_input, self.cached_input),
            rate(self.batch_output, self.output),
            self.retires,
        )

    def cost_usd(
        self,
        prompt_tokens: int,
        cached_tokens: int,
        completion_tokens: int,
        *,
        reasoning_tokens: int = 0,
    ) -> Decimal:
        """Exact cost: (prompt - cached) x input + cached x cached_input + completion x output.

        ``reasoning_tokens`` are part of ``completion_tokens`` (as in OpenAI's ``usage``):
        they are checked, never priced a second time.

        Raises:
            ValueError: a count is negative, or a part is larger than its whole.
        """
        _check_usage(prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens)
        micro_usd = (
            (prompt_tokens - cached_tokens) * self.input
            + cached_tokens * self.cached_input
            + completion_tokens * self.output
        )
        return micro_usd / MICRO_USD_PER_USD

    def cost_micro_usd(
        self,
        prompt_tokens: int,
        cached_tokens: int,
        completion_tokens: int,
        *,
        reasoning_tokens: int = 0,
    ) -> int:
        """:meth:`cost_usd` in whole micro-dollars, rounded up (what the ledger records)."""
        usd = self.cost_usd(
            prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens=reasoning_tokens
        )
        return int((usd * MICRO_USD_PER_USD).to_integral_value(rounding=ROUND_CEILING))


def _check_usage(prompt: int, cached: int, completion: int, reasoning: int) -> None:
    counts = {"prompt": prompt, "cached": cached, "completion": completion, "reasoning": reasoning}
    if negative := [name for name, count in counts.items() if count < 0]:
        raise ValueError(f"token counts must be >= 0: {', '.join(negative)}")
    if cached > prompt:
        raise ValueError(f"cached tokens ({cached}) exceed prompt tokens ({prompt})")
    if reasoning > completion:
        raise ValueError(f"reasoning tokens ({reasoning}) exceed completion tokens ({completion})")


class PriceTable:
    """Prices by model name: the shipped ``prices.toml`` with config overrides applied."""

    def __init__(self, prices: Mapping[str, ModelPrice], *, source: str, written: date) -> None:
        self._prices = dict(prices)
        self.source = source
        """Where the shipped prices come from (OpenAI's pricing page)."""
        self.written = written
        """The date the shipped prices were written down."""

    def __repr__(self) -> str:
        return f"<PriceTable models={len(self._prices)} written={self.written.isoformat()}>"

    @classmethod
    def load(cls, overrides: PriceOverrides | None = None) -> PriceTable:
        """The shipped prices, with ``overrides`` changing or adding models.

        An override of a known model (or of a snapshot of one) may give any field; a new
        model needs ``input`` and ``output`` (``cached_input`` defaults to ``input``).

        Raises:
            ConfigError: naming each override field that is unknown or not valid.
        """
        text = resources.files("jobping.budget").joinpath("prices.toml").read_text("utf-8")
        shipped = tomllib.loads(text)
        problems: dict[str, str] = {}
        prices = _parse(shipped["models"], {}, problems)
        prices |= _parse(overrides or {}, prices, problems)
        if problems:
            raise ConfigError(problems)
        table = shipped["table"]
        return cls(prices, source=table["source"], written=table["written"])

    @property
    def models(self) -> tuple[str, ...]:
        """The models with a price of their own, sorted."""
        return tuple(sorted(self._prices))

    def price(self, model: str) -> ModelPrice:
        """The price of ``model``: its own entry, else its base model's for a dated snapshot.

        Raises:
            ConfigError: no price is known or configured for ``model``.
        """
        price = _lookup(self._prices, model)
        if price is None:
            raise ConfigError(
                {
                    _MODELS_KEY: f"no price for model {model!r}; configure one in "
                    f"openai_prices or use one of: {', '.join(self.models)}"
                }
            )
        return price

    def retired_models(self, models: Iterable[str], today: date) -> list[tuple[str, date]]:
        """Each of ``models`` whose shutdown date is ``today`` or earlier, with that date.

        Raises:
            ConfigError: a model has no price.
        """
        retired = []
        for model in models:
            retires = self.price(model).retires
            if retires is not None and retires <= today:
                retired.append((model, retires))
        return retired


def check_price_overrides(settings: Settings) -> PriceTable:
    """The price table the settings configure, once every model of their chain has a price.

    Called where a command that uses the budget validates its settings, before any work.

    Raises:
        ConfigError: naming OPENAI_PRICES for a bad override, OPENAI_MODELS for a model of
            the chain without a price.
    """
    prices = PriceTable.load(settings.openai_prices)
    for model in settings.openai_models:
        prices.price(model)
    return prices


def _lookup(prices: Mapping[str, ModelPrice], model: str) -> ModelPrice | None:
    if model in prices:
        return prices[model]
    snapshot = _SNAPSHOT.fullmatch(model)
    return prices.get(snapshot["base"]) if snapshot else None


def _parse(
    entries: Mapping[str, Mapping[str, object]],
    known: Mapping[str, ModelPrice],
    problems: dict[str, str],
) -> dict[str, ModelPrice]:
    """Parse price entries over the ``known`` ones; each bad field is added to ``problems``."""
    prices = {}
    for model, fields in entries.items():
        price = _entry(model, fields, _lookup(known, model), problems)
        if price is not None:
            prices[model] = price
    return prices


def _entry(
    model: str, fields: Mapping[str, object], base: ModelPrice | None, problems: dict[str, str]
) -> ModelPrice | None:
    def key(field: str) -> str:
        return f"OPENAI_PRICES (openai_prices.{model}.{field})"

    found = len(problems)
    for name in sorted(fields.keys() - _FIELDS):
        problems[key(name)] = (
            "unknown field (use input, cached_input, output, their batch_ rates or retires)"
        )
    merged = ({} if base is None else {name: getattr(base, name) for name in _FIELDS}) | dict(
        fields
    )
    for name in ("input", "output"):
        if name not in merged:
            problems[key(name)] = "needed for a model without a shipped price"
    rates = {
        name: _rate(merged[name], key(name), problems)
        for name in (*_RATES, *_BATCH_RATES)
        if merged.get(name) is not None
    }
    retires = _date(merged.get("retires"), key("retires"), problems)
    if len(problems) > found:
        return None
    cached = rates.get("cached_input", rates["input"])  # no known discount: assume none
    batch = (rates.get(name) for name in _BATCH_RATES)
    return ModelPrice(model, rates["input"], cached, rates["output"], retires, *batch)


def _rate(value: object, key: str, problems: dict[str, str]) -> Decimal:
    rate = None
    if isinstance(value, int | float | str | Decimal) and not isinstance(value, bool):
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            rate = None
    if rate is None or not rate.is_finite() or rate < 0:
        problems[key] = "must be a number of US dollars per 1M tokens, 0 or more"
        return Decimal(0)
    return rate


def _date(value: object, key: str, problems: dict[str, str]) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems[key] = "must be a date like 2026-12-11"
    return None
