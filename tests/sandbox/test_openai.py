"""The sandbox's OpenAI endpoint: the real SDK gets valid enrichments and realistic usage."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.budget import count_chat_tokens, count_tokens, reserved_prompt_tokens
from jobping.enrich import ANSWER_SCHEMA, RESPONSE_FORMAT, TAXONOMY, build_messages, parse_answer
from jobping.models import Job, WorkEnvironment
from jobping.sandbox import ChatCompletions, serve_sandbox
from jobping.sandbox._answers import _KEYWORDS, enrichment_answer

MODEL = "gpt-5.4-mini"
INTERNSHIP = Job(
    job_hash="intern-1",
    title="Data Analyst Intern",
    company="Acme Payments",
    job_url="https://jobs.example.com/1",
    source="greenhouse",
    location="Berlin, Germany",
    description=(
        "Join our analytics team for a six-month internship. You will write SQL and build"
        " dashboards. This role is fully remote within Germany. Fluent German and English"
        " are required. We cannot sponsor visas.\n"
    )
    * 40,
)


def request_for(job: Job, *, model: str = MODEL, max_tokens: int = 600) -> dict[str, Any]:
    """The request body the Enricher sends for ``job``."""
    return {
        "model": model,
        "messages": build_messages(job, description_token_cap=1500, model=model),
        "response_format": dict(RESPONSE_FORMAT),
        "max_completion_tokens": max_tokens,
    }


@pytest.mark.anyio
async def test_the_openai_sdk_gets_a_valid_enrichment_and_realistic_usage() -> None:
    """Through the real SDK: a schema answer read from the job; usage within the worst case."""
    body = request_for(INTERNSHIP)
    async with serve_sandbox() as sandbox:
        client = openai.AsyncOpenAI(
            api_key="any-key", base_url=sandbox.openai_base_url, max_retries=0
        )
        async with client:
            completion = await client.chat.completions.create(**body)
        assert sandbox.chat.requests == 1

    content = completion.choices[0].message.content or ""
    answer = json.loads(content)
    assert list(answer) == ANSWER_SCHEMA["required"]
    enrichment = parse_answer(content)
    assert enrichment.is_internship is True
    assert enrichment.work_environment is WorkEnvironment.REMOTE
    assert enrichment.categories[0] == "data"
    assert enrichment.language_requirements == ("de", "en")
    assert enrichment.visa_friendly is False
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens_details is not None and usage.completion_tokens_details is not None
    counted = count_chat_tokens(body["messages"], MODEL, RESPONSE_FORMAT)
    assert counted - 8 <= usage.prompt_tokens <= reserved_prompt_tokens(counted)
    cached = usage.prompt_tokens_details.cached_tokens or 0
    assert cached % 128 == 0 and cached < usage.prompt_tokens
    reasoning = usage.completion_tokens_details.reasoning_tokens or 0
    assert usage.completion_tokens == count_tokens(content, MODEL) + reasoning <= 600
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_answers_are_deterministic_for_a_seed_in_any_order() -> None:
    """The same request and seed always get the same answer and usage, whatever came before."""
    other = dataclasses.replace(INTERNSHIP, title="Senior Backend Engineer")
    first, second = request_for(INTERNSHIP), request_for(other)
    forward = [ChatCompletions(seed=7).complete(body) for body in (first, second)]
    chat = ChatCompletions(seed=7)
    backward = [chat.complete(second), chat.complete(first)][::-1]

    assert forward == backward
    assert forward[0].usage != forward[1].usage
    assert ChatCompletions(seed=8).complete(first).usage != forward[0].usage


def test_usage_is_realistic_over_many_jobs() -> None:
    """Over 100 jobs: reasoning in 64-token blocks (about 130 on average), 3 in 4 cached."""
    chat = ChatCompletions()
    jobs = [dataclasses.replace(INTERNSHIP, title=f"Data Analyst {n}") for n in range(100)]
    served = [chat.complete(request_for(job)).usage for job in jobs]

    reasoning = [usage.reasoning_tokens for usage in served]
    assert all(u.reasoning_tokens % 64 == 0 or u.completion_tokens == 600 for u in served)
    assert 80 <= sum(reasoning) / len(reasoning) <= 200
    hits = sum(usage.cached_tokens > 0 for usage in served)
    assert 55 <= hits <= 90  # three in four
    assert chat.tokens == sum(u.prompt_tokens + u.completion_tokens for u in served)


def test_a_non_reasoning_model_reasons_not_and_a_short_limit_cuts_the_answer() -> None:
    """gpt-4o-mini has no reasoning tokens; max_completion_tokens 16 ends with 'length'."""
    chat = ChatCompletions()
    plain = chat.complete(request_for(INTERNSHIP, model="gpt-4o-mini"))
    cut = chat.complete(request_for(INTERNSHIP, max_tokens=16))

    assert plain.usage.reasoning_tokens == 0
    assert plain.usage.completion_tokens == count_tokens(
        plain.body["choices"][0]["message"]["content"], "gpt-4o-mini"
    )
    assert cut.body["choices"][0]["finish_reason"] == "length"
    assert cut.usage.completion_tokens == 16
    with pytest.raises(ValueError, match="Invalid JSON"):
        parse_answer(cut.body["choices"][0]["message"]["content"])


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (
            "Title: Senior Site Reliability Engineer\nCompany: Acme\nLocation: not given\n"
            "Work environment (from the listing): hybrid\n\nDescription:\n"
            "8+ years running Kubernetes in the cloud. Visa sponsorship available.",
            {
                "experience_required": "8+ years",
                "is_graduate": False,
                "visa_friendly": True,
                "work_environment": "hybrid",
                "categories": ["infrastructure", "software-engineering"],
                "summary": "Senior Site Reliability Engineer at Acme: a hybrid infrastructure"
                " role.",
            },
        ),
        (
            "Title: Barista\nCompany: Bean Bar\nLocation: Lyon, France\n\nDescription:\n"
            "Junior baristas welcome, on-site in our cafe. Parlez-vous? Native French speaker.",
            {
                "is_graduate": True,
                "work_environment": "on-site",
                "categories": ["hospitality-and-retail"],
                "language_requirements": ["fr"],
            },
        ),
        ("Gardener wanted", {"categories": ["other"], "work_environment": "unknown"}),
        (
            "Fluent English, German, French, Spanish, Italian, Dutch, Portuguese, Polish, Swedish"
            " and Danish.",
            {"language_requirements": ["en", "de", "fr", "es", "it", "nl", "pt", "pl"]},
        ),
    ],
)
def test_the_answer_is_read_from_the_jobs_words(prompt: str, expected: dict[str, Any]) -> None:
    """Keywords decide each field; none is 'other' and unknown; eight languages at most."""
    answer = enrichment_answer(prompt)

    assert {key: answer[key] for key in expected} == expected


WORDS = [
    "English",
    "German",
    "French",
    "Spanish",
    "Italian",
    "Dutch",
    "Portuguese",
    "Polish",
    "Swedish",
    "Danish",
    "fluent",
    "native",
    "senior",
    "intern",
    "junior",
    "remote",
    "hybrid",
    "on-site",
    "engineer",
    "data",
    "nurse",
    ".",
    "12+ years",
    "visa sponsorship",
    "cannot sponsor",
    "Title:",
    "Description:",
    "\n",
]
texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=30)), max_size=120).map(
    " ".join
)


@given(title=texts, description=texts)
def test_every_answer_is_valid_whatever_the_job(title: str, description: str) -> None:
    """Any title and description, keywords mixed in, give an answer parse_answer accepts."""
    prompt = f"Title: {title}\nCompany: X\nLocation: Y\n\nDescription:\n{description}"

    assert parse_answer(json.dumps(enrichment_answer(prompt))).summary


def test_the_keyword_families_are_the_taxonomy() -> None:
    """Every job family but 'other' has keywords, and no keyword names an unknown family."""
    assert set(_KEYWORDS) == set(TAXONOMY) - {"other"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "content", "status", "message"),
    [
        ({}, json.dumps(request_for(INTERNSHIP)), 401, "You didn't provide an API key"),
        ({"Authorization": "Bearer k"}, "{not json", 400, "the body is not JSON"),
        ({"Authorization": "Bearer k"}, '{"model": "m"}', 400, "messages: expected a list"),
        (
            {"Authorization": "Bearer k"},
            json.dumps(request_for(INTERNSHIP) | {"max_completion_tokens": 0}),
            400,
            "max_completion_tokens: expected a whole number >= 1",
        ),
    ],
)
async def test_bad_requests_get_openai_shaped_errors(
    headers: dict[str, str], content: str, status: int, message: str
) -> None:
    """No key: 401; a malformed body: 400 naming the field; both in OpenAI's error shape."""
    async with serve_sandbox() as sandbox, httpx.AsyncClient() as client:
        url = f"{sandbox.openai_base_url}/chat/completions"
        response = await client.post(url, content=content, headers=headers)

    assert response.status_code == status
    error = response.json()["error"]
    assert message in error["message"]
    assert error["type"] == "invalid_request_error"
