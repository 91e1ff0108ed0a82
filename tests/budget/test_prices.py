from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from jobping.budget import ModelPrice, PriceOverrides, PriceTable
from jobping.errors import ConfigError
from jobping.settings import Settings

D = Decimal
WRITTEN = date(2026, 11, 23)


@pytest.fixture(scope="module")
def table() -> PriceTable:
    """The shipped price table, without overrides."""
    return PriceTable.load()


# --- the shipped table ------------------------------------------------------------------


def test_shipped_table_has_every_model_the_issue_names(table: PriceTable) -> None:
    """The models of the issue are priced, and the table says where and when from."""
    assert set(table.models) >= {
        "gpt-5.4",
        "gpt-5.4-mini",
        "gpt-5.4-nano",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "gpt-4o",
        "gpt-4o-mini",
        "o4-mini",
        "o3",
    }
    assert table.source == "https://developers.openai.com/api/docs/pricing"
    assert table.written == WRITTEN
    assert repr(table) == f"<PriceTable models={len(table.models)} written=2026-11-23>"


def test_shipped_rates_are_plausible(table: PriceTable) -> None:
    """Every model: 0 < cached input <= input < output (a typo would break one of these)."""
    for model in table.models:
        price = table.price(model)
        assert D(0) < price.cached_input <= price.input < price.output, model


@pytest.mark.parametrize(
    ("model", "rates", "retires"),
    [
        ("gpt-5.4-mini", ("0.75", "0.075", "4.50"), None),
        ("gpt-5.4-nano", ("0.20", "0.02", "1.25"), None),
        ("gpt-5-nano", ("0.05", "0.005", "0.40"), date(2026, 12, 11)),
        ("gpt-4.1-nano", ("0.10", "0.025", "0.40"), date(2026, 10, 23)),
        ("o4-mini", ("1.10", "0.275", "4.40"), date(2026, 10, 23)),
    ],
)
def test_shipped_prices(
    table: PriceTable, model: str, rates: tuple[str, str, str], retires: date | None
) -> None:
    """Spot checks of the shipped rates (USD per 1M tokens) and shutdown dates."""
    input_, cached_input, output = (D(rate) for rate in rates)
    price = table.price(model)
    assert (price.input, price.cached_input, price.output) == (input_, cached_input, output)
    assert price.retires == retires


def test_every_shipped_model_has_batch_rates_at_half_its_standard_ones(table: PriceTable) -> None:
    """#11: each model's Batch API rates are shipped, half the Standard ones (OpenAI's rule)."""
    for model in table.models:
        price = table.price(model)
        batch = price.at_batch_rates()
        assert (price.batch_input, price.batch_cached_input, price.batch_output) == (
            batch.input,
            batch.cached_input,
            batch.output,
        ), model
        assert (batch.input * 2, batch.cached_input * 2, batch.output * 2) == (
            price.input,
            price.cached_input,
            price.output,
        ), model


def test_a_model_without_batch_rates_is_charged_its_standard_rates_in_a_batch() -> None:
    """No known batch discount: none assumed (a batch never looks cheaper than it may be)."""
    table = PriceTable.load({"local-llama": {"input": 1, "output": 2}})
    price = table.price("local-llama")
    assert price.at_batch_rates() == dataclasses.replace(price)
    assert price.batch_input is None


def test_default_chain_is_priced_and_current(table: PriceTable) -> None:
    """The settings' default chain has prices and no shutdown date passed."""
    chain = Settings.model_fields["openai_models"].get_default(call_default_factory=True)
    assert chain == ["gpt-5.4-mini", "gpt-5.4-nano"]
    assert table.retired_models(chain, WRITTEN) == []


def test_model_price_is_frozen(table: PriceTable) -> None:
    """A ModelPrice cannot be changed after the table hands it out."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.price("gpt-5.4-mini").output = D(0)  # type: ignore[misc]


# --- name resolution --------------------------------------------------------------------


def test_dated_snapshot_takes_its_base_price(table: PriceTable) -> None:
    """'gpt-5.4-mini-2026-03-17' is priced as gpt-5.4-mini."""
    assert table.price("gpt-5.4-mini-2026-03-17") == table.price("gpt-5.4-mini")


def test_exact_entry_beats_the_snapshot_rule(table: PriceTable) -> None:
    """A snapshot with an entry of its own (gpt-4o-2024-05-13) keeps it."""
    assert table.price("gpt-4o-2024-05-13").input == D("5.00")
    assert table.price("gpt-4o").input == D("2.50")


@pytest.mark.parametrize("model", ["llama3", "gpt-5.4-mini-fast", "gpt-5.4-mini-2026-03"])
def test_unknown_model_is_a_config_error(table: PriceTable, model: str) -> None:
    """A model without a price (or a suffix that is not a date) is refused, naming it."""
    with pytest.raises(ConfigError) as info:
        table.price(model)
    problem = info.value.problems["OPENAI_MODELS (openai_models)"]
    assert repr(model) in problem
    assert "openai_prices" in problem
    assert "gpt-5.4-mini," in problem


# --- cost -------------------------------------------------------------------------------


def test_cost_formula(table: PriceTable) -> None:
    """(prompt - cached) x input + cached x cached_input + completion x output, exactly."""
    price = table.price("gpt-5.4-mini")
    # 800 x 0.75 + 200 x 0.075 + 500 x 4.50 = 600 + 15 + 2250 micro-dollars
    assert price.cost_usd(1000, 200, 500) == D("0.002865")
    assert price.cost_micro_usd(1000, 200, 500) == 2865


def test_reasoning_tokens_are_not_priced_twice(table: PriceTable) -> None:
    """Reasoning tokens are inside completion_tokens: declaring them changes nothing."""
    price = table.price("gpt-5.4-nano")
    plain = price.cost_usd(1000, 0, 600)
    assert price.cost_usd(1000, 0, 600, reasoning_tokens=450) == plain
    assert price.cost_micro_usd(1000, 0, 600, reasoning_tokens=600) == 200 + 750
    assert plain == D(1000) * D("0.20") / 10**6 + D(600) * D("1.25") / 10**6


def test_cost_is_exact_and_micro_usd_rounds_up(table: PriceTable) -> None:
    """Costs are exact decimals; whole micro-dollars round up, never down."""
    nano = table.price("gpt-5-nano")
    assert nano.cost_usd(1, 1, 0) == D("0.000000005")
    assert nano.cost_micro_usd(1, 1, 0) == 1
    assert nano.cost_micro_usd(0, 0, 0) == 0
    assert sum(nano.cost_usd(3, 0, 0) for _ in range(10)) == D("0.0000015")


@pytest.mark.parametrize(
    ("usage", "message"),
    [
        ((-1, 0, 0, 0), "must be >= 0: prompt"),
        ((10, 0, -5, -1), "must be >= 0: completion, reasoning"),
        ((10, 11, 0, 0), "cached tokens \\(11\\) exceed prompt tokens \\(10\\)"),
        ((10, 0, 5, 6), "reasoning tokens \\(6\\) exceed completion tokens \\(5\\)"),
    ],
)
def test_impossible_usage_is_refused(
    table: PriceTable, usage: tuple[int, int, int, int], message: str
) -> None:
    """Negative counts, or a part larger than its whole, are clear errors."""
    prompt, cached, completion, reasoning = usage
    with pytest.raises(ValueError, match=message):
        table.price("gpt-5.4-mini").cost_usd(prompt, cached, completion, reasoning_tokens=reasoning)


# --- overrides --------------------------------------------------------------------------


def test_override_changes_only_the_given_fields() -> None:
    """Overriding gpt-5-nano's output keeps its other rates and its shutdown date."""
    table = PriceTable.load({"gpt-5-nano": {"output": 0.5}})
    assert table.price("gpt-5-nano") == ModelPrice(
        "gpt-5-nano",
        D("0.05"),
        D("0.005"),
        D("0.5"),
        retires=date(2026, 12, 11),
        batch_input=D("0.025"),
        batch_cached_input=D("0.0025"),
        batch_output=D("0.20"),
    )


def test_override_adds_a_model() -> None:
    """A new model needs input and output; cached input defaults to input (no discount)."""
    table = PriceTable.load(
        {"local-llama": {"input": 0, "output": "0.25", "retires": "2030-01-01"}}
    )
    assert table.price("local-llama") == ModelPrice(
        "local-llama", D(0), D(0), D("0.25"), retires=date(2030, 1, 1)
    )
    assert table.price("local-llama-2026-01-01").model == "local-llama"


def test_override_of_a_snapshot_starts_from_its_base() -> None:
    """A snapshot override inherits its base model's other rates; the base is unchanged."""
    table = PriceTable.load(
        {"gpt-5.4-mini-2026-03-17": {"output": 5, "retires": date(2027, 3, 18)}}
    )
    snapshot = table.price("gpt-5.4-mini-2026-03-17")
    assert (snapshot.input, snapshot.output, snapshot.retires) == (
        D("0.75"),
        D(5),
        date(2027, 3, 18),
    )
    assert table.price("gpt-5.4-mini").output == D("4.50")


def test_bad_overrides_name_every_bad_key() -> None:
    """Each invalid field is reported at once, by its config key."""
    overrides: PriceOverrides = {
        "mystery": {"input": "cheap", "colour": "blue"},
        "gpt-5": {"output": -1, "retires": "soon"},
        "gpt-5-mini": {"input": "NaN", "cached_input": True, "batch_output": -0.5},
    }
    with pytest.raises(ConfigError) as info:
        PriceTable.load(overrides)
    assert set(info.value.problems) == {
        f"OPENAI_PRICES (openai_prices.{key})"
        for key in (
            "mystery.colour",
            "mystery.input",
            "mystery.output",
            "gpt-5.output",
            "gpt-5.retires",
            "gpt-5-mini.input",
            "gpt-5-mini.cached_input",
            "gpt-5-mini.batch_output",
        )
    }
    assert "needed for a model without a shipped price" in str(info.value)


# --- retirement -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 22), []),
        (date(2026, 11, 23), ["gpt-4.1-nano", "o4-mini-2025-04-16"]),
        (date(2026, 12, 11), ["gpt-4.1-nano", "o4-mini-2025-04-16", "gpt-5"]),
    ],
)
def test_retired_models(table: PriceTable, today: date, expected: list[str]) -> None:
    """A model is retired from its shutdown date on; the configured name is reported."""
    models = ["gpt-5.4-mini", "gpt-4.1-nano", "o4-mini-2025-04-16", "gpt-5"]
    retired = table.retired_models(models, today)
    assert [model for model, _ in retired] == expected
    assert all(retires <= today for _, retires in retired)


def test_retired_models_refuses_an_unknown_model(table: PriceTable) -> None:
    """Checking a chain with an unpriced model is the same config error as pricing it."""
    with pytest.raises(ConfigError, match="no price for model 'llama3'"):
        table.retired_models(["gpt-5.4-mini", "llama3"], WRITTEN)
