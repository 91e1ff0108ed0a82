"""split_location: a free-text job location as city, ISO-2 country and remote/hybrid flags."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from jobping.normalize._text import clean_text

__all__ = ["Location", "country_code", "split_location"]

# Country names and aliases (folded: lower case, no accents, no dots) -> ISO 3166-1 alpha-2.
# The ~80 countries most common in job postings. "Georgia" is left out on purpose: in job
# postings it is the US state far more often than the country.
# fmt: off
_COUNTRIES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "us": "US",
    "america": "US", "estados unidos": "US",
    "united kingdom": "GB", "uk": "GB", "gb": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "canada": "CA", "mexico": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR",
    "chile": "CL", "colombia": "CO", "peru": "PE", "uruguay": "UY", "costa rica": "CR",
    "ecuador": "EC", "guatemala": "GT", "dominican republic": "DO", "puerto rico": "PR",
    "germany": "DE", "deutschland": "DE", "france": "FR", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL", "nederland": "NL", "ireland": "IE",
    "spain": "ES", "espana": "ES", "portugal": "PT", "italy": "IT", "italia": "IT",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT", "osterreich": "AT",
    "belgium": "BE", "belgique": "BE", "luxembourg": "LU", "denmark": "DK", "danmark": "DK",
    "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO", "finland": "FI",
    "iceland": "IS", "poland": "PL", "polska": "PL", "czech republic": "CZ", "czechia": "CZ",
    "slovakia": "SK", "hungary": "HU", "romania": "RO", "bulgaria": "BG", "greece": "GR",
    "croatia": "HR", "slovenia": "SI", "serbia": "RS", "ukraine": "UA", "estonia": "EE",
    "latvia": "LV", "lithuania": "LT", "cyprus": "CY", "malta": "MT", "russia": "RU",
    "turkey": "TR", "turkiye": "TR", "israel": "IL", "united arab emirates": "AE", "uae": "AE",
    "saudi arabia": "SA", "qatar": "QA", "jordan": "JO", "egypt": "EG", "morocco": "MA",
    "nigeria": "NG", "kenya": "KE", "south africa": "ZA", "ghana": "GH", "rwanda": "RW",
    "uganda": "UG", "tanzania": "TZ", "ethiopia": "ET", "burundi": "BI", "malawi": "MW",
    "zambia": "ZM", "democratic republic of congo": "CD", "democratic republic of the congo": "CD",
    "india": "IN", "pakistan": "PK", "bangladesh": "BD", "sri lanka": "LK", "singapore": "SG",
    "malaysia": "MY", "thailand": "TH", "vietnam": "VN", "viet nam": "VN",
    "philippines": "PH", "indonesia": "ID", "china": "CN", "hong kong": "HK", "taiwan": "TW",
    "japan": "JP", "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "australia": "AU", "new zealand": "NZ",
}

# US states and DC, then Canadian provinces, by code and by name (folded). Newfoundland's
# "NL" is left out: after a city, "NL" means the Netherlands far more often.
_US_STATES = frozenset({
    "al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in",
    "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh",
    "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut",
    "vt", "va", "wa", "wv", "wi", "wy",
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "district of columbia", "florida", "georgia", "hawaii", "idaho", "illinois",
    "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts",
    "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
    "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina",
    "south dakota", "tennessee", "texas", "utah", "vermont", "virginia", "washington",
    "west virginia", "wisconsin", "wyoming",
})
_CA_PROVINCES = frozenset({
    "ab", "bc", "mb", "nb", "ns", "nt", "nu", "on", "pe", "qc", "sk", "yt",
    "alberta", "british columbia", "manitoba", "new brunswick", "newfoundland and labrador",
    "nova scotia", "northwest territories", "nunavut", "ontario", "prince edward island",
    "quebec", "saskatchewan", "yukon",
})

# Cities that name their country on their own ("Berlin", "Hybrid - Amsterdam").
_CITIES: dict[str, str] = {
    "new york": "US", "new york city": "US", "nyc": "US", "san francisco": "US",
    "washington dc": "US", "seattle": "US", "boston": "US", "chicago": "US",
    "los angeles": "US", "austin": "US", "toronto": "CA", "vancouver": "CA", "montreal": "CA",
    "mexico city": "MX", "sao paulo": "BR", "buenos aires": "AR", "bogota": "CO",
    "london": "GB", "manchester": "GB", "edinburgh": "GB", "dublin": "IE", "paris": "FR",
    "berlin": "DE", "munich": "DE", "munchen": "DE", "hamburg": "DE", "frankfurt": "DE",
    "cologne": "DE", "koln": "DE", "dusseldorf": "DE", "amsterdam": "NL", "rotterdam": "NL",
    "madrid": "ES", "barcelona": "ES", "lisbon": "PT", "milan": "IT", "rome": "IT",
    "zurich": "CH", "geneva": "CH", "vienna": "AT", "brussels": "BE", "copenhagen": "DK",
    "stockholm": "SE", "oslo": "NO", "helsinki": "FI", "warsaw": "PL", "krakow": "PL",
    "prague": "CZ", "budapest": "HU", "bucharest": "RO", "belgrade": "RS", "tel aviv": "IL",
    "dubai": "AE", "nairobi": "KE", "lagos": "NG", "cape town": "ZA", "bangalore": "IN",
    "bengaluru": "IN", "mumbai": "IN", "delhi": "IN", "new delhi": "IN", "gurgaon": "IN",
    "gurugram": "IN", "hyderabad": "IN", "pune": "IN", "chennai": "IN", "tokyo": "JP",
    "seoul": "KR", "shanghai": "CN", "beijing": "CN", "sydney": "AU", "melbourne": "AU",
}

# Parts naming an area bigger than a city but no single country.
_REGIONS = frozenset({
    "europe", "emea", "apac", "asia pacific", "americas", "latam", "latin america",
    "north america", "south america", "asia", "africa", "middle east", "mena", "eu",
    "european union", "nordics", "dach", "benelux", "global", "international",
    "multiple locations", "east coast", "west coast", "midwest", "central", "northeast",
    "southeast", "northwest", "southwest",
})
# fmt: on

_ISO_CODES = frozenset(_COUNTRIES.values())
_SUBDIVISIONS = dict.fromkeys(_US_STATES, "US") | dict.fromkeys(_CA_PROVINCES, "CA")
_LONG_DASHES = "\u2013\u2014"  # en dash, em dash
_DASH = f"{_LONG_DASHES}-"
_REMOTE_WORDS = r"remote|remoto|anywhere(?: in the world)?|worldwide|work from home|wfh"
_HYBRID_WORDS = r"hybrid|hybride|h[ií]brido"
_FILLER_WORDS = r"on-?site|on site|in[- ]office|based|only|hq|headquarters|flexible"
_REMOTE = re.compile(rf"\b(?:{_REMOTE_WORDS})\b", re.IGNORECASE)
_HYBRID = re.compile(rf"\b(?:{_HYBRID_WORDS})\b", re.IGNORECASE)
# Work-mode and filler words, with the dashes around them ("Remote-USA", "Mexico City- On-site").
_NOISE = re.compile(
    rf"[\s:{_DASH}]*\b(?:{_REMOTE_WORDS}|{_HYBRID_WORDS}|{_FILLER_WORDS})\b[\s:{_DASH}]*",
    re.IGNORECASE,
)
# Separators of the locations of one posting, then of city, region, country in one location.
_CACHED = 4096  # distinct texts each reader remembers
_SEGMENTS = re.compile(r"[;|/]| or ")
_PARTS = re.compile(rf"[,()\[\]]|\s[{_DASH}]\s|[{_LONG_DASHES}]")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a job is: ``country`` is ISO 3166-1 alpha-2; ``None`` where unknown."""

    city: str | None = None
    country: str | None = None
    remote: bool = False
    hybrid: bool = False


def split_location(raw: str | None) -> Location:
    """Read a free-text location like ``"New York, NY; Remote - US"``; never raises.

    ``remote`` / ``hybrid`` are set when any part of the text says so ("Remote", "Anywhere",
    "Worldwide", "Hybrid"). Several locations (split on ``;``, ``|``, ``/``, `` or ``) give
    the city and country of the first one that names a place. Within one location the
    country is the first comma-separated part naming one: a country name or alias ("UK",
    "U.S.", "Deutschland"), a US state or Canadian province (name or code: "CA" after a city
    is California), or an ISO code; a city from a short table of well-known ones
    ("Berlin", "Hybrid - Amsterdam") names its country when nothing else does. The city is
    the first part that is not a country, region ("Europe", "EMEA"), code or postcode.
    """
    return _split_location(raw)


# Sources repeat a few locations over all their jobs ("Remote", "London, UK"): each is read
# once (#16). A Location is immutable, so the same one is safely handed out again.
@functools.lru_cache(maxsize=_CACHED)
def _split_location(raw: str | None) -> Location:
    text = clean_text(raw)
    remote = bool(_REMOTE.search(text))
    hybrid = bool(_HYBRID.search(text))
    for segment in _SEGMENTS.split(text):
        city, country = _place(_NOISE.sub(",", segment))
        if city or country:
            return Location(city, country, remote, hybrid)
    return Location(None, None, remote, hybrid)


def country_code(name: str | None) -> str | None:
    """Return the ISO-2 code for a country name, alias or ISO-2 code in any case, else None.

    For country fields of payloads (Ashby ``addressCountry``, SmartRecruiters' lower-case
    ``country``); unlike :func:`split_location` it never reads a US state.
    """
    return _country_code(name)


@functools.lru_cache(maxsize=_CACHED)
def _country_code(name: str | None) -> str | None:
    key = _fold(clean_text(name))
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    return key.upper() if key.upper() in _ISO_CODES else None


def _place(segment: str) -> tuple[str | None, str | None]:
    """Return (city, country) of one location's text."""
    parts = [part.strip(" *&'\"") for part in _PARTS.split(segment)]
    parts = [part for part in parts if part]
    if not parts:
        return None, None
    keys = [_fold(part) for part in parts]
    known_city_country = _CITIES.get(keys[0])
    country = next((code for key in keys if (code := _country(key, known_city_country))), None)
    city = _city(parts, keys)
    if country is None and city is not None:
        country = _CITIES.get(keys[parts.index(city)])
    return city, country


def _country(key: str, known_city_country: str | None) -> str | None:
    """Return the country a part (its ``key``) names; two letters are a state code first.

    A code that is the country of a well-known first city wins ("Berlin, DE").
    """
    if len(key) == 2:
        if key.upper() == known_city_country:
            return known_city_country
        return _SUBDIVISIONS.get(key) or country_code(key)
    return _COUNTRIES.get(key) or _SUBDIVISIONS.get(key)


def _city(parts: list[str], keys: list[str]) -> str | None:
    """Return the first part that can be a city (``keys``: the parts' lookup keys).

    A state or province name is a city only when another state follows ("Washington, D.C.",
    "New York, NY") or it is a well-known city on its own ("New York").
    """
    for index, key in enumerate(keys):
        if len(key) <= 2 or key in _COUNTRIES or key in _REGIONS or any(map(str.isdigit, key)):
            continue
        if key in _SUBDIVISIONS and key not in _CITIES:
            following = keys[index + 1 : index + 2]
            if not (following and following[0] in _SUBDIVISIONS):
                continue
        return parts[index]
    return None


def _fold(text: str) -> str:
    """Return the lookup key of a name: accents and dots dropped, case folded, one space.

    A key, never shown: it folds compatibility forms on purpose (NFKD), so "\uff35\uff33"
    finds "us"; the city returned keeps the text as written.
    """
    if text.isascii():
        return " ".join(text.lower().replace(".", "").split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().replace(".", "").split())
