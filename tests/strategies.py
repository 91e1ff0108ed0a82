"""Named hypothesis strategies for the property tests: URLs, dates, locations, HTML.

Each strategy draws what a job board could really send, plus the spellings of one value
that must be read as the same thing. The lists here are written independently of the code
under test, so a property failing means the code and this description disagree.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

from hypothesis import strategies as st

__all__ = [
    "LOCATION_TOKENS",
    "TRACKING_KEYS",
    "date_spellings",
    "day_first_dates",
    "html_soup",
    "instants",
    "located_strings",
    "location_soup",
    "plain_urls",
    "url_soup",
    "url_spellings",
]

#: Tracking parameters the brief names; each must be dropped by ``canonical_url``.
TRACKING_KEYS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "UTM_Term",
    "gclid",
    "fbclid",
    "ref",
    "source",
    "gh_src",
    "lever-source",
    "lever-origin",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "trk",
    "trackingId",
)
_ID_KEYS = ("gh_jid", "id", "jobId", "page", "lang", "team", "location")

_label = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10)
_hosts = st.lists(_label, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "com"]))
_segment = st.text(alphabet=string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=8)
_paths = st.lists(_segment, max_size=4).map(lambda segments: "/" + "/".join(segments))
_keys = st.sampled_from(_ID_KEYS) | _label.map(lambda label: f"k{label}")
_values = st.text(alphabet=string.printable + "éü€", max_size=10)
_params = st.lists(st.tuples(_keys, _values), max_size=4)
_tracking = st.lists(st.tuples(st.sampled_from(TRACKING_KEYS), _values), max_size=4)


@st.composite
def plain_urls(draw: st.DrawFn) -> str:
    """An http(s) job URL without tracking parameters: lower-case host, no trailing slash."""
    scheme = draw(st.sampled_from(["http", "https"]))
    query = urlencode(draw(_params))
    return f"{scheme}://{draw(_hosts)}{draw(_paths)}" + (f"?{query}" if query else "")


@st.composite
def url_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """Two spellings of one job URL: the plain one, and one with tracking and noise added.

    The noisy one has tracking parameters mixed in, the parameters shuffled, the scheme and
    host in upper case, the default port, a trailing slash and a fragment.
    """
    scheme = draw(st.sampled_from(["http", "https"]))
    host, path, params = draw(_hosts), draw(_paths), draw(_params)
    query = urlencode(params)
    plain = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    noisy_params = draw(st.permutations(params + draw(_tracking)))
    noisy_query = urlencode(noisy_params)
    port = draw(st.sampled_from(["", ":80" if scheme == "http" else ":443"]))
    slash = draw(st.sampled_from(["", "/"])) if path != "/" else "/"
    fragment = draw(st.sampled_from(["", "#apply", "#"]))
    noisy = (
        f"{scheme.upper()}://{host.upper()}{port}{path}{slash}"
        + (f"?{noisy_query}" if noisy_query else "")
        + fragment
    )
    return plain, noisy


#: Characters URLs are made of, and the ones that break naive URL handling.
url_soup = st.text(alphabet="htps:/[]@?#&=%.-_~+ ABCabc019\t\u00e9\uff03", max_size=40)

#: Instants a job posting can carry: 2000 to 2100, UTC, whole seconds.
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive by contract)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=0))

_offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(
    lambda quarters: timezone(timedelta(minutes=15 * quarters))
)


@st.composite
def date_spellings(draw: st.DrawFn) -> tuple[datetime, list[str | int | float]]:
    """An instant and its spellings: ISO 8601, epoch seconds and milliseconds, RFC 2822.

    ISO and RFC 2822 are written in a random UTC offset; the epoch numbers come as int, as
    float and as strings.
    """
    instant = draw(instants)
    local = instant.astimezone(draw(_offsets))
    seconds = int(instant.timestamp())
    spellings: list[str | int | float] = [
        instant.isoformat().replace("+00:00", "Z"),
        local.isoformat(),
        local.isoformat(timespec="milliseconds"),
        seconds,
        float(seconds),
        str(seconds),
        seconds * 1000,
        str(seconds * 1000),
        format_datetime(local),
        format_datetime(instant, usegmt=True),
    ]
    return instant, spellings


@st.composite
def day_first_dates(draw: st.DrawFn) -> tuple[datetime, str]:
    """A date at midnight UTC and its Reed spelling, ``dd/mm/yyyy``."""
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
    return datetime(day.year, day.month, day.day, tzinfo=UTC), day.strftime("%d/%m/%Y")


# fmt: off
# Cities that are not countries, states or regions; some with accents and hyphens.
_CITIES = ("Springfield", "Lyon", "Porto", "Kraków", "Malmö", "Cluj-Napoca", "Stoke-on-Trent",
           "Saint-Étienne", "Eindhoven", "Leeds", "Gdańsk", "Curitiba")
# Country spellings (names, aliases, codes) and the ISO code each must give.
_COUNTRY_SPELLINGS = (
    ("Germany", "DE"), ("Deutschland", "DE"), ("United Kingdom", "GB"), ("UK", "GB"),
    ("U.K.", "GB"), ("United States", "US"), ("USA", "US"), ("U.S.", "US"), ("France", "FR"),
    ("Netherlands", "NL"), ("Ireland", "IE"), ("India", "IN"), ("Brazil", "BR"),
    ("Japan", "JP"), ("Canada", "CA"), ("España", "ES"), ("Switzerland", "CH"),
    ("Poland", "PL"), ("Sweden", "SE"), ("Australia", "AU"), ("Mexico", "MX"),
)
_DECORATIONS = (
    ("{}", False, False),
    ("Remote - {}", True, False),
    ("{} (Remote)", True, False),
    ("{}; Remote", True, False),
    ("Hybrid - {}", False, True),
    ("{} - Hybrid", False, True),
)


@st.composite
def located_strings(draw: st.DrawFn) -> tuple[str, str, str, bool, bool]:
    """A location string with what it must give: (text, city, country, remote, hybrid)."""
    city = draw(st.sampled_from(_CITIES))
    country_name, code = draw(st.sampled_from(_COUNTRY_SPELLINGS))
    template, remote, hybrid = draw(st.sampled_from(_DECORATIONS))
    spelled = draw(st.sampled_from([country_name, country_name.upper(), country_name.lower()]))
    place = f"{city}, {spelled}"
    return template.format(place), city, code, remote, hybrid


#: Pieces of location strings, to join into strings that stress the parser.
LOCATION_TOKENS = ("Remote", "Hybrid", "-", "\u2013", ",", ";", "(", ")", "/", " or ", "CA", "NY",
                   "DE", "NL", "New York", "Washington", "D.C.", "Georgia", "UK", "U.S.",
                   "Berlin", "Europe", "HQ", "*", "12345", "BS15HH", "\u200b", "", " ")
location_soup = st.lists(st.sampled_from(LOCATION_TOKENS), max_size=12).map("".join)

_HTML_TOKENS = ("<p>", "</p>", "<div class='x'>", "</div>", "<br>", "<br/>", "<li>", "</li>",
                "<ul>", "</ul>", "<script>", "</script>", "<style>", "<h2>", "<td>", "<![",
                "<!--", "-->", "<!DOCTYPE html>", "<?xml?>", "&lt;", "&gt;", "&amp;", "&nbsp;",
                "&#x27;", "&#0;", "&bogus;", "<", ">", "text", " ", "\n", "\ufeff", "\u200b")
#: Fragments of HTML, well-formed or not, escaped or not.
html_soup = st.lists(st.sampled_from(_HTML_TOKENS), max_size=30).map("".join)
# fmt: on
