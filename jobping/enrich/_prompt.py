"""The prompt of one job: a fixed system message, then the job, its description cut short.

The system message (instructions and the taxonomy) is the same for every job and comes
first, so the provider's prompt cache can serve it. The description is cut to a token cap
at a token boundary before it is sent; the rest of the job is a few short fields.
"""

from __future__ import annotations

from jobping.budget import truncate_to_tokens
from jobping.enrich._schema import MAX_CATEGORIES, MAX_SUMMARY_CHARS, TAXONOMY
from jobping.models import Job

__all__ = ["SYSTEM_PROMPT", "build_messages"]

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
    """The chat messages for ``job``; the description cut to ``description_token_cap``."""
    description = truncate_to_tokens(job.description, description_token_cap, model)
    fields = {
        "Title": job.title,
        "Company": job.company,
        "Location": job.location or "not given",
        "Work environment (from the listing)": job.work_environment.value,
    }
    lines = [f"{name}: {value}" for name, value in fields.items()]
    user = "\n".join([*lines, "", "Description:", description or "(none)"])
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]
