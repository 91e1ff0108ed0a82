"""LLM budget accounting: token counts, prices, and the choice of model. Never imports openai.

So far the pure parts: :func:`count_tokens` and friends (tiktoken, offline),
:class:`PriceTable` (``prices.toml`` plus config overrides) and :func:`choose_model`.
"""

from jobping.budget._chain import (
    Allowance,
    Remaining,
    WorstCase,
    choose_model,
    default_thresholds,
)
from jobping.budget._prices import ModelPrice, PriceOverrides, PriceTable
from jobping.budget._tokens import (
    count_chat_tokens,
    count_tokens,
    default_cache_dir,
    encoding_name_for_model,
    seed_tiktoken_cache,
    truncate_to_tokens,
)

__all__ = [
    "Allowance",
    "ModelPrice",
    "PriceOverrides",
    "PriceTable",
    "Remaining",
    "WorstCase",
    "choose_model",
    "count_chat_tokens",
    "count_tokens",
    "default_cache_dir",
    "default_thresholds",
    "encoding_name_for_model",
    "seed_tiktoken_cache",
    "truncate_to_tokens",
]
