"""The prompt of one job: a fixed system message, then the job, every field cut short.

The system message (instructions and the taxonomy) is the same for every job and comes
first, so the provider's prompt cache can serve it. The prompt has a token budget per job
(#11): the description is cut to ``description_token_cap`` tokens and each short field
(title, company, location) to ``FIELD_TOKEN_CAP``, at token boundaries, and every cut is
marked with ``CUT_MARK`` so the model knows the text goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from jobping.budget import (
    count_chat_tokens,
    count_tokens,
    encoding_name_for_model,
    truncate_to_tokens,
)
from jobping.enrich._schema import MAX_CATEGORIES, MAX_SUMMARY_CHARS, RESPONSE_FORMAT, TAXONOMY
from jobping.models import Job

__all__ = ["CUT_MARK", "FIELD_TOKEN_CAP", "SYSTEM_PROMPT", "build_messages", "prompt_counter"]

FIELD_TOKEN_CAP = 64
"""Tokens of a short field (title, company, location) sent at most."""
CUT_MARK = " [cut]"
"""Ends a field cut to its token cap."""

SYSTEM_PROMPT = "\n".join(
    [
        "You read one job posting and fill in the JSON answer its schema describes.",
        "Use only what the posting says; when it does not say, answer null (or 'unknown').",
        f"categories: 1 to {MAX_CATEGORIES} of these job families, the main one first:",
        *(f"- {name}: {covers}" for name, covers in TAXONOMY.items()),
        "language_requirements: ISO 639-1 codes of languages the job requires, if any.",
        f"summary: one or two plain sentences, at most {MAX_SUMMARY_CHARS} characters,"
        " saying what the job is and for whom.",
    ]
)


def build_messages(job: Job, *, description_token_cap: int, model: str) -> list[dict[str, str]]:
    """The chat messages for ``job``, each field cut to its token cap (cuts marked)."""
    description = _cut(job.description, description_token_cap, model)
    fields = {
        "Title": _cut(job.title, FIELD_TOKEN_CAP, model),
        "Company": _cut(job.company, FIELD_TOKEN_CAP, model),
        "Location": _cut(job.location, FIELD_TOKEN_CAP, model) or "not given",
        "Work environment (from the listing)": job.work_environment.value,
    }
    lines = [f"{name}: {value}" for name, value in fields.items()]
    user = "\n".join([*lines, "", "Description:", description or "(none)"])
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def _cut(text: str | None, cap: int, model: str) -> str:
    """``text`` cut to ``cap`` tokens, ending with ``CUT_MARK`` if cut ('' for None)."""
    if not text:
        return ""
    kept = truncate_to_tokens(text, cap, model)
    if len(kept) == len(text):
        return text
    room = max(cap - count_tokens(CUT_MARK, model), 0)  # the mark counts within the cap
    return truncate_to_tokens(kept, room, model) + CUT_MARK


def prompt_counter(messages: Sequence[Mapping[str, str]]) -> Callable[[str], int]:
    """Prompt tokens per model, counted once per tiktoken encoding."""
    counts: dict[str, int] = {}

    def count(model: str) -> int:
        encoding = encoding_name_for_model(model)
        if encoding not in counts:
            counts[encoding] = count_chat_tokens(messages, model, RESPONSE_FORMAT)
        return counts[encoding]

    return count
