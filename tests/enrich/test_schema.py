"""The answer schema, its validation, the taxonomy and the prompt."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from jobping.budget import count_tokens
from jobping.enrich import (
    ANSWER_SCHEMA,
    CUT_MARK,
    RESPONSE_FORMAT,
    TAXONOMY,
    build_messages,
    parse_answer,
)
from jobping.enrich._prompt import SYSTEM_PROMPT
from jobping.models import Enrichment, WorkEnvironment
from tests.enrich.conftest import build_jobs

VALID: dict[str, Any] = {
    "experience_required": " 3+ years ",
    "is_graduate": False,
    "is_internship": None,
    "visa_friendly": True,
    "work_environment": "hybrid",
    "categories": ["data", "software-engineering", "data"],
    "language_requirements": ["EN", "de"],
    "summary": " Builds pipelines. ",
}


def test_a_valid_answer_becomes_a_normalized_enrichment() -> None:
    """Strings trimmed, duplicates dropped, language codes lower-cased, enum values typed."""
    assert parse_answer(json.dumps(VALID)) == Enrichment(
        experience_required="3+ years",
        work_environment=WorkEnvironment.HYBRID,
        categories=("data", "software-engineering"),
        language_requirements=("en", "de"),
        is_internship=None,
        is_graduate=False,
        visa_friendly=True,
        summary="Builds pipelines.",
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"categories": ["astrology"]},
            "categories: Value error, not in the taxonomy: 'astrology'",
        ),
        ({"categories": []}, "categories: List should have at least 1 item"),
        ({"categories": ["data"] * 4}, "categories: List should have at most 3 items"),
        (
            {"language_requirements": ["english"]},
            "language_requirements: Value error, not ISO 639-1 codes: 'english'",
        ),
        ({"work_environment": "office"}, "work_environment: Input should be"),
        ({"summary": ""}, "summary: String should have at least 1 character"),
        ({"summary": "x" * 401}, "summary: String should have at most 400 characters"),
        ({"visa_friendly": "maybe"}, "visa_friendly: Input should be a valid boolean"),
        ({"extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_an_answer_off_the_schema_is_refused_naming_the_problem(
    change: dict[str, Any], problem: str
) -> None:
    """Each violation is a ValueError naming the field and what is wrong."""
    with pytest.raises(ValueError, match="^" + re.escape(problem)):
        parse_answer(json.dumps(VALID | change))


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"summary": "only"}'])
def test_an_answer_that_is_not_the_object_is_refused(content: str) -> None:
    """Not JSON, not an object, or missing fields: a ValueError."""
    with pytest.raises(ValueError, match=r"\w"):
        parse_answer(content)


def test_the_schema_is_strict_mode_compatible() -> None:
    """Strict structured output: every property required, no others, the taxonomy as enum."""
    assert RESPONSE_FORMAT["json_schema"]["strict"] is True
    assert ANSWER_SCHEMA["additionalProperties"] is False
    assert sorted(ANSWER_SCHEMA["required"]) == sorted(ANSWER_SCHEMA["properties"])
    assert ANSWER_SCHEMA["properties"]["categories"]["items"]["enum"] == list(TAXONOMY)
    assert sorted(ANSWER_SCHEMA["properties"]) == sorted(
        field.name for field in dataclasses.fields(Enrichment)
    )


def test_the_taxonomy_is_documented_in_the_prompt() -> None:
    """Every family and what it covers is in the system prompt; names are slugs."""
    for name, covers in TAXONOMY.items():
        assert f"- {name}: {covers}" in SYSTEM_PROMPT
        assert name == name.lower().replace(" ", "-")
    assert "other" in TAXONOMY


def test_the_description_is_cut_to_the_token_cap() -> None:
    """A long description is sent cut to the cap, the cut marked (#11); the system message first.

    Changed by #11: the cut description ends with CUT_MARK, counted within the cap.
    """
    job = build_jobs(1, words=3_000)[0]

    messages = build_messages(job, description_token_cap=200, model="gpt-5.4-mini")

    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    description = messages[1]["content"].split("Description:\n", 1)[1]
    assert count_tokens(description, "gpt-5.4-mini") <= 200
    assert description.endswith(CUT_MARK)
    assert job.description.startswith(description.removesuffix(CUT_MARK))
    assert "Title: Data engineer 0" in messages[1]["content"]
