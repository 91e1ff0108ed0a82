"""LLM budget accounting: token counts, prices, the choice of model, and the ledger.

:func:`count_tokens` and friends (tiktoken, offline), :class:`PriceTable` (``prices.toml``
plus config overrides), :func:`choose_model`, and :class:`TokenBudget`, which reserves a
call's worst case in the store's ledger and commits its real usage. Never imports openai.
"""

from jobping.budget._budget import (
    RETRY_WAIT_CAP_SECONDS,
    BudgetLimits,
    Reservation,
    TokenBudget,
    Usage,
    reserved_prompt_tokens,
)
from jobping.budget._chain import (
    Allowance,
    Remaining,
    WorstCase,
    choose_model,
)
from jobping.budget._prices import (
    ModelPrice,
    PriceOverrides,
    PriceTable,
    check_price_overrides,
)
from jobping.budget._report import budget_report
from jobping.budget._tokens import (
    count_chat_tokens,
    count_tokens,
    encoding_name_for_model,
    seed_tiktoken_cache,
    truncate_to_tokens,
)

__all__ = [
    "RETRY_WAIT_CAP_SECONDS",
    "Allowance",
    "BudgetLimits",
    "ModelPrice",
    "PriceOverrides",
    "PriceTable",
    "Remaining",
    "Reservation",
    "TokenBudget",
    "Usage",
    "WorstCase",
    "budget_report",
    "check_price_overrides",
    "choose_model",
    "count_chat_tokens",
    "count_tokens",
    "encoding_name_for_model",
    "reserved_prompt_tokens",
    "seed_tiktoken_cache",
    "truncate_to_tokens",
]
