"""What the model is asked to fill: the category taxonomy and the JSON schema of the answer.

The answer is requested as structured output (``response_format`` ``json_schema``,
``strict``): every property required, no other property, nullable where the posting may
not say. Strict mode does not bound lengths or counts, so :func:`parse_answer` checks the
answer again and normalizes it; an answer it refuses is that job's failure.

Categories come from :data:`TAXONOMY`, a fixed list of job families (up to three per job,
the main one first). It is broad on purpose: a job board filters on it, and a model picks
reliably from two dozen well-described families, not from hundreds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jobping.models import Enrichment, WorkEnvironment

__all__ = [
    "ANSWER_SCHEMA",
    "MAX_CATEGORIES",
    "MAX_SUMMARY_CHARS",
    "RESPONSE_FORMAT",
    "TAXONOMY",
    "parse_answer",
]

TAXONOMY: Mapping[str, str] = {
    "software-engineering": "building software: backend, frontend, mobile, full-stack, QA",
    "data": "data engineering, analytics, business intelligence, data science",
    "machine-learning": "machine learning and AI: research, engineering, MLOps",
    "infrastructure": "DevOps, SRE, cloud, platform, networks, IT administration",
    "security": "information and product security",
    "product": "product management and product ownership",
    "design": "UX, UI, product, graphic and visual design; user research",
    "hardware-engineering": "electrical, electronic, mechanical, civil and other engineering",
    "science": "research and laboratory science outside computing",
    "marketing": "marketing, growth, communications, public relations",
    "content": "writing, editing, translation, media production",
    "sales": "sales, business development, account management",
    "customer-success": "customer support, customer success, service desks",
    "operations": "operations, supply chain, logistics, procurement, project management",
    "finance": "finance, accounting, audit, tax",
    "legal": "legal, regulatory and compliance",
    "people": "HR, recruiting, talent, learning and development",
    "administration": "office, executive assistance, administrative support",
    "healthcare": "clinical, nursing, care and medical work",
    "education": "teaching, training, academic work",
    "consulting": "management, strategy and technology consulting",
    "trades-and-manufacturing": "skilled trades, manufacturing, warehouse and field work",
    "hospitality-and-retail": "hospitality, food service, retail stores",
    "other": "none of the above",
}
"""Job families a job can be filed under: the name, and what it covers."""

MAX_CATEGORIES = 3
MAX_SUMMARY_CHARS = 400
MAX_LANGUAGES = 8
_WORK_ENVIRONMENTS = [member.value for member in WorkEnvironment]


def _nullable(kind: str, description: str) -> dict[str, Any]:
    return {"type": [kind, "null"], "description": description}


ANSWER_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "experience_required": _nullable(
            "string", "The experience asked for, in a few words ('3+ years'); null if unsaid."
        ),
        "is_graduate": _nullable(
            "boolean", "Whether the job is open to recent graduates; null if unclear."
        ),
        "is_internship": _nullable("boolean", "Whether it is an internship; null if unclear."),
        "visa_friendly": _nullable(
            "boolean",
            "true if it offers visa sponsorship or relocation, false if it rules them out,"
            " null if unsaid.",
        ),
        "work_environment": {"type": "string", "enum": _WORK_ENVIRONMENTS},
        "categories": {
            "type": "array",
            "items": {"type": "string", "enum": list(TAXONOMY)},
            "description": f"1 to {MAX_CATEGORIES} job families, the main one first.",
        },
        "language_requirements": {
            "type": "array",
            "items": {"type": "string"},
            "description": "ISO 639-1 codes of the languages the job requires ('en', 'de').",
        },
        "summary": {
            "type": "string",
            "description": f"One or two plain sentences, at most {MAX_SUMMARY_CHARS} characters.",
        },
    },
    "required": [
        "experience_required",
        "is_graduate",
        "is_internship",
        "visa_friendly",
        "work_environment",
        "categories",
        "language_requirements",
        "summary",
    ],
    "additionalProperties": False,
}
"""The JSON schema of an answer (OpenAI structured outputs, strict mode)."""

RESPONSE_FORMAT: Mapping[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "job_enrichment", "strict": True, "schema": ANSWER_SCHEMA},
}
"""The ``response_format`` of every enrichment call."""


class _Answer(BaseModel):
    """An answer, checked beyond what strict mode guarantees."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    experience_required: Annotated[str, Field(max_length=200)] | None
    is_graduate: bool | None
    is_internship: bool | None
    visa_friendly: bool | None
    work_environment: Literal["remote", "hybrid", "on-site", "unknown"]
    categories: Annotated[list[str], Field(min_length=1, max_length=MAX_CATEGORIES)]
    language_requirements: Annotated[list[str], Field(max_length=MAX_LANGUAGES)]
    summary: Annotated[str, Field(min_length=1, max_length=MAX_SUMMARY_CHARS)]

    @field_validator("categories")
    @classmethod
    def _in_taxonomy(cls, value: list[str]) -> list[str]:
        unknown = [category for category in value if category not in TAXONOMY]
        if unknown:
            raise ValueError(f"not in the taxonomy: {', '.join(map(repr, unknown))}")
        return list(dict.fromkeys(value))

    @field_validator("language_requirements")
    @classmethod
    def _iso_639_1(cls, value: list[str]) -> list[str]:
        codes = [code.strip().lower() for code in value]
        if bad := [code for code in codes if len(code) != 2 or not code.isascii()]:
            raise ValueError(f"not ISO 639-1 codes: {', '.join(map(repr, bad))}")
        return list(dict.fromkeys(codes))


def parse_answer(content: str) -> Enrichment:
    """The enrichment in a model's answer.

    Raises:
        ValueError: the answer is not JSON of :data:`ANSWER_SCHEMA` within its bounds; the
            message names the first problem (without echoing the answer).
    """
    try:
        answer = _Answer.model_validate_json(content)
    except ValidationError as exc:
        error = exc.errors(include_input=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        raise ValueError(f"{where}: {error['msg']}") from None
    return Enrichment(
        experience_required=(answer.experience_required or "").strip() or None,
        work_environment=WorkEnvironment(answer.work_environment),
        categories=tuple(answer.categories),
        language_requirements=tuple(answer.language_requirements),
        is_internship=answer.is_internship,
        is_graduate=answer.is_graduate,
        visa_friendly=answer.visa_friendly,
        summary=answer.summary.strip(),
    )
