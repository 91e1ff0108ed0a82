"""The enrichment the sandbox's OpenAI endpoint answers: read from the job's own words.

No model runs here. The job's title, company, location and description are read from the
prompt (``jobping.enrich.build_messages`` writes them as ``Title: ...`` lines, then the
description), and each field of the answer comes from keywords: job families scored by the
distinct keywords found (one in the title counts three), ``remote``/``hybrid``/``on-site``,
``intern``, ``graduate`` or ``senior``, visa sponsorship, ``N+ years``, languages named in a
sentence asking for fluency. The same text always gives the same answer, and every answer
is valid under ``jobping.enrich.ANSWER_SCHEMA``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["enrichment_answer"]

_KEYWORDS: Mapping[str, str] = {
    "software-engineering": r"software|developer|engineer|engineering|backend|back-end|frontend"
    r"|front-end|full[- ]stack|programmer|mobile|ios|android|qa",
    "data": r"data|analytics|analyst|sql|business intelligence|bi",
    "machine-learning": r"machine learning|ml|ai|llm|deep learning|mlops",
    "infrastructure": r"devops|sre|site reliability|cloud|platform|kubernetes|infrastructure"
    r"|network|sysadmin",
    "security": r"security|cybersecurity|infosec|penetration",
    "product": r"product manager|product owner|product management",
    "design": r"design|designer|ux|ui|user research",
    "hardware-engineering": r"electrical|electronics?|mechanical|civil engineer|hardware",
    "science": r"scientist|laboratory|lab|chemistry|biology|research scientist",
    "marketing": r"marketing|growth|seo|brand|communications|public relations",
    "content": r"writer|writing|editor|content|copywriter|translator|translation|journalist",
    "sales": r"sales|account executive|business development|account manager",
    "customer-success": r"customer success|customer support|support|customer service|help desk",
    "operations": r"operations|logistics|supply chain|procurement|project manager",
    "finance": r"finance|financial|accounting|accountant|audit|tax|controller",
    "legal": r"legal|lawyer|counsel|compliance|regulatory|paralegal",
    "people": r"recruiter|recruiting|hr|human resources|talent|people partner",
    "administration": r"assistant|administrative|administrator|receptionist|office manager",
    "healthcare": r"nurse|nursing|clinical|medical|healthcare|care worker|physician",
    "education": r"teacher|teaching|tutor|lecturer|education|instructor",
    "consulting": r"consultant|consulting|advisory",
    "trades-and-manufacturing": r"technician|warehouse|manufacturing|electrician|welder|driver",
    "hospitality-and-retail": r"retail|store|restaurant|chef|barista|hospitality|hotel",
}
_FAMILIES = {
    name: re.compile(rf"\b(?:{words})s?\b", re.IGNORECASE) for name, words in _KEYWORDS.items()
}
_TITLE_WEIGHT = 3
_MAX_CATEGORIES = 3
_MAX_LANGUAGES = 8
_LANGUAGES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "portuguese": "pt",
    "polish": "pl",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "japanese": "ja",
    "mandarin": "zh",
    "chinese": "zh",
}
_LANGUAGE = re.compile(rf"\b({'|'.join(_LANGUAGES)})\b", re.IGNORECASE)
_LANGUAGE_CUE = re.compile(r"fluen|native|proficien|spoken|speak|bilingual", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?\n]+")
_FIELD = re.compile(r"^(Title|Company|Location|Work environment[^:]*): *(.*)$", re.MULTILINE)
_REMOTE = re.compile(r"\b(?:remote|work from home|distributed team)\b", re.IGNORECASE)
_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_ON_SITE = re.compile(r"\b(?:on[- ]?site|in[- ]office|in the office)\b", re.IGNORECASE)
_INTERN = re.compile(r"\b(?:intern|internship|praktikum)s?\b", re.IGNORECASE)
_GRADUATE = re.compile(r"\b(?:graduate|new grad|entry[- ]level|junior|trainee)s?\b", re.IGNORECASE)
_SENIOR = re.compile(r"\b(?:senior|sr\.?|lead|principal|staff|head of|director)\b", re.IGNORECASE)
_NO_VISA = re.compile(
    r"\b(?:no|not|unable to|cannot|can't|do not|does not) (?:offer |provide )?"
    r"(?:visa )?sponsor|\bmust (?:already )?(?:be|have) (?:legally )?authori[sz]ed",
    re.IGNORECASE,
)
_VISA = re.compile(
    r"\bvisa sponsorship|\bsponsor(?:ship)? (?:a |your )?visa|\brelocation", re.IGNORECASE
)
_YEARS = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:-\s*\d{1,2}\s*)?years?\b", re.IGNORECASE)
_MAX_NAME_CHARS = 100


def enrichment_answer(prompt: str) -> dict[str, Any]:
    """The answer to an enrichment prompt (the user message): every field of the schema."""
    fields = {name.split()[0]: value.strip() for name, value in _FIELD.findall(prompt)}
    title = fields.get("Title") or prompt.strip().split("\n", 1)[0] or "A job"
    _, _, description = prompt.partition("\nDescription:")
    text = f"{title}\n{description or prompt}"
    categories = _categories(title, description or prompt)
    environment = _environment(fields.get("Work", "unknown"), text)
    return {
        "experience_required": _experience(title, text),
        "is_graduate": _graduate(title, text),
        "is_internship": bool(_INTERN.search(text)),
        "visa_friendly": _visa(text),
        "work_environment": environment,
        "categories": categories,
        "language_requirements": _languages(text),
        "summary": _summary(title, fields, categories[0], environment),
    }


def _categories(title: str, description: str) -> list[str]:
    """Up to three families, best first: each keyword found scores 1, or 3 in the title."""
    scores = {
        name: _TITLE_WEIGHT * _distinct(pattern, title) + _distinct(pattern, description)
        for name, pattern in _FAMILIES.items()
    }
    ranked = sorted((name for name in scores if scores[name]), key=lambda n: -scores[n])
    if not ranked:
        return ["other"]
    best = scores[ranked[0]]
    return [name for name in ranked[:_MAX_CATEGORIES] if scores[name] * 2 >= best]


def _distinct(pattern: re.Pattern[str], text: str) -> int:
    return len({match.lower() for match in pattern.findall(text)})


def _environment(listed: str, text: str) -> str:
    if listed in {"remote", "hybrid", "on-site"}:
        return listed
    for pattern, environment in ((_HYBRID, "hybrid"), (_REMOTE, "remote"), (_ON_SITE, "on-site")):
        if pattern.search(text):
            return environment
    return "unknown"


def _experience(title: str, text: str) -> str | None:
    if match := _YEARS.search(text):
        return f"{int(match[1])}+ years"
    return "senior level" if _SENIOR.search(title) else None


def _graduate(title: str, text: str) -> bool | None:
    if _SENIOR.search(title):
        return False
    return True if _GRADUATE.search(text) or _INTERN.search(title) else None


def _visa(text: str) -> bool | None:
    if _NO_VISA.search(text):
        return False
    return True if _VISA.search(text) else None


def _languages(text: str) -> list[str]:
    """ISO 639-1 codes of languages named in a sentence asking for fluency (eight at most)."""
    codes = [
        _LANGUAGES[name.lower()]
        for sentence in _SENTENCE.split(text)
        if _LANGUAGE_CUE.search(sentence)
        for name in _LANGUAGE.findall(sentence)
    ]
    return list(dict.fromkeys(codes))[:_MAX_LANGUAGES]


def _summary(title: str, fields: Mapping[str, str], family: str, environment: str) -> str:
    """``Title at Company (Location): a remote data role.`` (under 400 characters)."""
    company = fields.get("Company") or "an undisclosed company"
    location = fields.get("Location", "")
    where = f" ({location[:_MAX_NAME_CHARS]})" if location and location != "not given" else ""
    kind = family if environment == "unknown" else f"{environment} {family}"
    article = "an" if kind[0] in "aeiou" else "a"
    return (
        f"{title[:_MAX_NAME_CHARS]} at {company[:_MAX_NAME_CHARS]}{where}: {article} {kind} role."
    )
