from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.normalize import Location, country_code, split_location
from jobping.normalize._location import _split_location
from tests.strategies import located_strings, location_soup

REMOTE = Location(remote=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("San Francisco, CA", Location("San Francisco", "US")),
        ("London, United Kingdom", Location("London", "GB")),
        ("Berlin, Germany", Location("Berlin", "DE")),
        ("Remote", REMOTE),
        ("Remote - US", Location(None, "US", remote=True)),
        ("Remote (Europe)", REMOTE),
        ("New York, NY, United States", Location("New York", "US")),
        ("Paris, France; Remote", Location("Paris", "FR", remote=True)),
        ("Hybrid - Amsterdam", Location("Amsterdam", "NL", hybrid=True)),
        ("UK", Location(None, "GB")),
        ("USA", Location(None, "US")),
        ("U.S.", Location(None, "US")),
        ("Deutschland", Location(None, "DE")),
        ("Dublin, Ireland", Location("Dublin", "IE")),
        ("Anywhere", REMOTE),
        ("Toronto, ON", Location("Toronto", "CA")),
        ("Vancouver, British Columbia", Location("Vancouver", "CA")),
        ("Portland, OR", Location("Portland", "US")),
        ("Washington, D.C.", Location("Washington", "US")),
        ("New York", Location("New York", "US")),
        ("California, United States", Location(None, "US")),
        ("Berlin, DE", Location("Berlin", "DE")),  # the city's country beats Delaware
        ("Amsterdam, NL", Location("Amsterdam", "NL")),
        ("Mexico City- On-site", Location("Mexico City", "MX")),
        ("", Location()),
        (None, Location()),
    ],
)
def test_brief_examples(raw: str | None, expected: Location) -> None:
    """The location spellings named in issue 2 split into city, country and flags."""
    assert split_location(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # shared/fixtures/greenhouse/techjobshub-airtable-jobs-wrapped.json
        ("New York, NY; Remote - US", Location("New York", "US", remote=True)),
        ("Remote - US", Location(None, "US", remote=True)),
        # shared/fixtures/greenhouse/gitlab-jobs-content-true-trimmed.json
        ("Remote, Italy", Location(None, "IT", remote=True)),
        # shared/fixtures/greenhouse/techjobshub-thousandeyes-jobs-wrapped.json
        (
            "Austin, Texas, United States; Raleigh, North Carolina, United States",
            Location("Austin", "US"),
        ),
        # shared/fixtures/greenhouse/techjobshub-airbnb-jobs-wrapped.json (trailing space)
        ("Berlin, Germany ", Location("Berlin", "DE")),
        # shared/fixtures/greenhouse/techjobshub-trivago-jobs-wrapped.json
        ("Düsseldorf", Location("Düsseldorf", "DE")),
        # shared/fixtures/greenhouse/techjobshub-oneacrefund-jobs-wrapped.json
        ("Kigali, Rwanda or Nairobi, Kenya or United states", Location("Kigali", "RW")),
        ("Kenya, Rwanda, Burundi, Tanzania, Uganda", Location(None, "KE")),
        # shared/fixtures/greenhouse/techjobshub-wizeline-jobs-wrapped.json
        ("Argentina based Remote ", Location(None, "AR", remote=True)),
        # shared/fixtures/remotive/remote-jobs-trimmed.json: candidate_required_location
        ("Worldwide", REMOTE),
        ("USA", Location(None, "US")),
        # shared/fixtures/adzuna/taxly-gb-search-10results-2025-07.json: no country named
        ("Stoke Gifford, Bristol", Location("Stoke Gifford", None)),
        # shared/fixtures/reed/taxly-search-100results-2025-07.json: a postcode is no city
        ("NN39HU", Location()),
        # shared/fixtures/remoteok/api-trimmed.json
        ("Cammeray, ", Location("Cammeray", None)),
        # shared/fixtures/ashby/stapply-SecondDinner-job-board-comp.json
        ("Remote - USA", Location(None, "US", remote=True)),
        ("*HQ - San Francisco, CA", Location("San Francisco", "US")),
        ("Remote-US", Location(None, "US", remote=True)),
        ("Zürich, Switzerland", Location("Zürich", "CH")),
        ("Sydney, New South Wales, Australia", Location("Sydney", "AU")),
        ("Georgia; Illinois", Location(None, "US")),  # the US state, not the country
    ],
)
def test_fixture_locations(raw: str, expected: Location) -> None:
    """Location strings recorded from the real APIs split as a reader would split them."""
    assert split_location(raw) == expected


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("de", "DE"),  # SmartRecruiters' lower-case ISO code
        ("GB", "GB"),
        ("United States", "US"),  # Ashby addressCountry
        ("  the Netherlands ", "NL"),
        ("UK", "GB"),
        ("Österreich", "AT"),
        ("Atlantis", None),
        ("XX", None),
        ("", None),
        (None, None),
    ],
)
def test_country_code(name: str | None, code: str | None) -> None:
    """country_code reads country names, aliases and ISO codes, never a state."""
    assert country_code(name) == code


@given(located_strings())
def test_generated_locations_split_right(case: tuple[str, str, str, bool, bool]) -> None:
    """``City, Country`` with any country spelling and remote/hybrid wording splits right."""
    raw, city, country, remote, hybrid = case
    assert split_location(raw) == Location(city, country, remote, hybrid)


@given(st.text() | location_soup)
def test_never_raises_and_country_is_iso2(raw: str) -> None:
    """Any text gives a Location whose country a Job accepts and whose city is clean."""
    place = split_location(raw)
    assert place.country is None or (len(place.country) == 2 and place.country.isupper())
    assert place.city is None or (place.city and place.city == place.city.strip())


def test_a_location_repeated_is_read_once_and_the_memory_is_bounded() -> None:
    """#16: a text seen again gives the Location read the first time, from a bounded cache.

    Fails on the code before #16 (a new Location per call) and if the cache ever grew
    without bound over the distinct texts of a long run.
    """
    text = "Zeist, Netherlands; Remote"
    assert split_location(text) is split_location(text) == Location("Zeist", "NL", remote=True)
    limit = _split_location.cache_info().maxsize
    assert limit is not None
    for number in range(limit + 10):
        split_location(f"Office {number}, Germany")
    assert _split_location.cache_info().currsize <= limit
    assert split_location(text) == Location("Zeist", "NL", remote=True)  # read again
