"""What one chat completion bills and answers: the prompt counter, the usage, the answer.

Shared by the synchronous calls and the Batch API path (a batch's output lines are chat
completions too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from openai.types.chat import ChatCompletion

from jobping.budget import Reservation, Usage, count_chat_tokens, encoding_name_for_model
from jobping.enrich._schema import RESPONSE_FORMAT, parse_answer
from jobping.errors import EnrichmentError
from jobping.models import Enrichment

__all__ = ["answer", "billed_usage", "prompt_counter"]

log = logging.getLogger("jobping.enrich")


def prompt_counter(messages: Sequence[Mapping[str, str]]) -> Callable[[str], int]:
    """Prompt tokens per model, counted once per tiktoken encoding."""
    counts: dict[str, int] = {}

    def count(model: str) -> int:
        encoding = encoding_name_for_model(model)
        if encoding not in counts:
            counts[encoding] = count_chat_tokens(messages, model, RESPONSE_FORMAT)
        return counts[encoding]

    return count


def billed_usage(completion: ChatCompletion, reservation: Reservation) -> Usage:
    """The billed usage; a server that reports none is charged the worst case."""
    usage = completion.usage
    if usage is None:
        log.warning("%s reported no usage: the worst case is committed", reservation.model)
        return reservation.worst_usage
    prompt, output = max(usage.prompt_tokens, 0), max(usage.completion_tokens, 0)
    prompt_details, output_details = usage.prompt_tokens_details, usage.completion_tokens_details
    cached = (prompt_details.cached_tokens or 0) if prompt_details else 0
    reasoning = (output_details.reasoning_tokens or 0) if output_details else 0
    return Usage(prompt, output, min(max(cached, 0), prompt), min(max(reasoning, 0), output))


def answer(completion: ChatCompletion, model: str) -> Enrichment:
    """The validated enrichment in the completion, or EnrichmentError saying what is wrong."""
    if not completion.choices:
        raise EnrichmentError("the response has no answer", model=model)
    choice = completion.choices[0]
    if choice.message.refusal:
        raise EnrichmentError("the model refused to answer", model=model)
    if choice.finish_reason == "length":
        raise EnrichmentError("the answer was cut at max_completion_tokens", model=model)
    try:
        return parse_answer(choice.message.content or "")
    except ValueError as exc:
        raise EnrichmentError(f"invalid answer: {exc}", model=model) from None
