"""LLM enrichment of jobs under the token and cost budget.

:class:`Enricher` sends one prompt per job with structured output, validates the answer and
keeps every call within the :class:`~jobping.budget.TokenBudget`; with ``batch=True`` it
sends the backlog through OpenAI's Batch API at the batch rates, and every backlog run
collects the batches the provider finished (#11). :data:`TAXONOMY` is the
fixed list of job families a job is filed under; :data:`ANSWER_SCHEMA` the answer's schema.
The prompt has a token budget per job: :data:`CUT_MARK` ends a field cut to its cap (the
description's setting, :data:`FIELD_TOKEN_CAP` for the title, company and location).
"""

from jobping.enrich._enricher import ClientFactory, Enriched, Enricher
from jobping.enrich._prompt import CUT_MARK, FIELD_TOKEN_CAP, build_messages
from jobping.enrich._report import EnrichReport
from jobping.enrich._schema import ANSWER_SCHEMA, RESPONSE_FORMAT, TAXONOMY, parse_answer

__all__ = [
    "ANSWER_SCHEMA",
    "CUT_MARK",
    "FIELD_TOKEN_CAP",
    "RESPONSE_FORMAT",
    "TAXONOMY",
    "ClientFactory",
    "EnrichReport",
    "Enriched",
    "Enricher",
    "build_messages",
    "parse_answer",
]
