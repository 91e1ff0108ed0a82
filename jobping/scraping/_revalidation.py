"""The conditional first request of a target: an unchanged answer ends the target unparsed.

A target whose last complete scrape was one request is revalidated: that request goes out
with the validators of its last answer (see ``ScrapeClient.get_if_changed``). A 304, or a
200 whose body hash is the stored one, raises :class:`TargetUnchanged` out of the scraper
before it parses anything; the runner then marks the jobs of the last answer seen in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from jobping.http import Revalidated, Validators
    from jobping.http._conditional import BodyAs

__all__ = ["ConditionalClient", "Revalidation", "TargetUnchanged"]


class TargetUnchanged(Exception):
    """The target's one request answered what it answered last time (``freshness`` says how)."""

    def __init__(self, freshness: str) -> None:
        super().__init__(f"unchanged since the last scrape ({freshness})")
        self.freshness = freshness


@runtime_checkable
class ConditionalClient(Protocol):
    """A client that can send a conditional GET (``ScrapeClient`` is one)."""

    async def get_if_changed(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        previous: tuple[str, Validators] | None = None,
        body_as: BodyAs = "json",
    ) -> Revalidated:
        """GET ``url`` sending ``previous``'s validators when the URL is its URL.

        A changed body comes back ``body_as``: decoded JSON, text, or ``raw`` (JSON left
        undecoded, ``ScrapeClient.get_json_body``).
        """
        ...


class Revalidation:
    """One target's conditional first request: what it sends, and the answer it kept.

    ``previous`` is the redacted URL and the validators of the target's last answer (None:
    the first request is sent plain, and its validators kept for next time). ``answer`` is
    the changed answer, once the request came back with a body; ``unchanged`` how it was
    unchanged (``not_modified``, ``unchanged``) when it was; ``whole`` is set by the runner
    when the target ended after that one request (only then is its answer worth keeping).
    """

    def __init__(
        self, client: ConditionalClient, previous: tuple[str, Validators] | None = None
    ) -> None:
        self._client = client
        self._previous = previous
        self.answer: Revalidated | None = None
        self.unchanged: str | None = None
        self.whole = False

    async def fetch(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        *,
        body_as: BodyAs,
    ) -> Any:
        """Send the conditional request; its body (``body_as``), or ``TargetUnchanged``."""
        answer = await self._client.get_if_changed(
            url, params=params, headers=headers, previous=self._previous, body_as=body_as
        )
        if answer.freshness != "changed":
            raise TargetUnchanged(answer.freshness)
        self.answer = answer
        return answer.body
