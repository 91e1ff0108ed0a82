"""LLM budget accounting: token counts, prices, the choice of model, and the ledger.

:func:`count_tokens` and friends (tiktoken, offline), :class:`PriceTable` (``prices.toml``
plus config overrides), :func:`choose_model`, and :class:`TokenBudget`, which reserves a
call's worst case in the store's ledger and commits its real usage. Never imports openai.
"""

from typing import TYPE_CHECKING

from jobping._lazy import lazy_names

if TYPE_CHECKING:
    from jobping.budget._budget import (
        RETRY_WAIT_CAP_SECONDS,
        BudgetLimits,
        Reservation,
        TokenBudget,
        Usage,
        reserved_prompt_tokens,
    )
    from jobping.budget._chain import Allowance, Remaining, WorstCase, choose_model
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

# Each name loads its module on first use: the settings need PriceTable, not tiktoken.
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "RETRY_WAIT_CAP_SECONDS": "jobping.budget._budget",
        "BudgetLimits": "jobping.budget._budget",
        "Reservation": "jobping.budget._budget",
        "TokenBudget": "jobping.budget._budget",
        "Usage": "jobping.budget._budget",
        "reserved_prompt_tokens": "jobping.budget._budget",
        "Allowance": "jobping.budget._chain",
        "Remaining": "jobping.budget._chain",
        "WorstCase": "jobping.budget._chain",
        "choose_model": "jobping.budget._chain",
        "ModelPrice": "jobping.budget._prices",
        "PriceOverrides": "jobping.budget._prices",
        "PriceTable": "jobping.budget._prices",
        "check_price_overrides": "jobping.budget._prices",
        "budget_report": "jobping.budget._report",
        "count_chat_tokens": "jobping.budget._tokens",
        "count_tokens": "jobping.budget._tokens",
        "encoding_name_for_model": "jobping.budget._tokens",
        "seed_tiktoken_cache": "jobping.budget._tokens",
        "truncate_to_tokens": "jobping.budget._tokens",
    },
)
