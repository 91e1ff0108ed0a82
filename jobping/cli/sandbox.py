"""``jobping sandbox``: serve every built-in scraper's API locally, faults included, until Ctrl-C.

Point a scraper at it with ``[scrapers.NAME] base_url = "<printed URL>"`` (keyed scrapers
then need any non-empty key), or use ``--sandbox`` on ``jobping scrape``, which starts one
in-process.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from jobping.errors import ConfigError

if TYPE_CHECKING:
    from jobping.sandbox import Faults, Scale

__all__ = ["build_faults", "parse_scale", "sandbox"]

_SCALE = re.compile(r"(\d+)x(\d+)")
_MALFORMED: dict[str, Literal["html", "truncated"]] = {"html": "html", "truncated": "truncated"}


def sandbox(
    *,
    port: Annotated[
        int,
        typer.Option(
            "--port",
            metavar="PORT",
            min=0,
            help="First port: sources take PORT, PORT+1, ... by name; 0: free ports.",
        ),
    ] = 0,
    down: Annotated[
        list[str] | None, typer.Option("--down", metavar="NAME", help="Refuse connections.")
    ] = None,
    rate_limit: Annotated[
        list[str] | None,
        typer.Option(
            "--rate-limit", metavar="NAME", help="429 with Retry-After on every other request."
        ),
    ] = None,
    slow: Annotated[
        list[str] | None,
        typer.Option("--slow", metavar="NAME", help="Drip each body over --slow-seconds."),
    ] = None,
    malformed: Annotated[
        list[str] | None,
        typer.Option(
            "--malformed",
            metavar="NAME[=html|truncated]",
            help="Answer an HTML page (the default) or JSON cut in half.",
        ),
    ] = None,
    error_rate: Annotated[
        float,
        typer.Option(
            "--error-rate",
            metavar="SHARE",
            min=0.0,
            max=1.0,
            help="Share of 5xx answers, every source (seeded: the same each time).",
        ),
    ] = 0.0,
    slow_seconds: Annotated[
        float,
        typer.Option(
            "--slow-seconds", metavar="SECONDS", min=0.0, help="How long a --slow body takes."
        ),
    ] = 5.0,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the 5xx draws.")] = 0,
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            metavar="TARGETSxJOBS",
            help="Synthesize targets board-0001... of JOBS jobs each per source (20x500).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the base URLs and targets as JSON.")
    ] = False,
) -> None:
    """Serve recorded payloads of every built-in scraper on 127.0.0.1 until Ctrl-C."""
    import anyio  # noqa: PLC0415 (fast start-up)

    faults = build_faults(
        down=down or [],
        rate_limit=rate_limit or [],
        slow=slow or [],
        malformed=malformed or [],
        error_rate=error_rate,
        slow_seconds=slow_seconds,
        seed=seed,
    )
    try:
        anyio.run(_serve, faults, parse_scale(scale), port, as_json)
    except KeyboardInterrupt:
        sys.stderr.write("sandbox stopped\n")


def build_faults(
    *,
    down: list[str],
    rate_limit: list[str],
    slow: list[str],
    malformed: list[str],
    error_rate: float,
    slow_seconds: float,
    seed: int,
) -> dict[str, Faults]:
    """The faults of each source named by the options (``error_rate`` applies to all)."""
    from jobping.sandbox import SOURCES, Faults  # noqa: PLC0415 (aiohttp: fast start-up)

    kinds: dict[str, Literal["html", "truncated"]] = {}
    for option in malformed:
        name, _, value = option.partition("=")
        if (kind := _MALFORMED.get(value or "html")) is None:
            raise ConfigError({"--malformed": f"{value!r} is not one of html, truncated"})
        kinds[name] = kind
    if unknown := sorted({*down, *rate_limit, *slow, *kinds} - set(SOURCES)):
        known = ", ".join(SOURCES)
        raise ConfigError({"sandbox source": f"{unknown[0]!r} is not served; sources: {known}"})
    return {
        name: Faults(
            down=name in down,
            error_rate=error_rate,
            rate_limited=name in rate_limit,
            slow_seconds=slow_seconds if name in slow else 0.0,
            malformed=kinds.get(name),
            seed=seed,
        )
        for name in SOURCES
    }


def parse_scale(text: str | None) -> Scale | None:
    """``20x500`` as a ``Scale``; None for None; ``ConfigError`` when malformed."""
    from jobping.sandbox import Scale  # noqa: PLC0415 (aiohttp: fast start-up)

    if text is None:
        return None
    match = _SCALE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(f"expected TARGETSxJOBS like 20x500, got {text!r}")
        return Scale(int(match[1]), int(match[2]))
    except ValueError as exc:
        raise ConfigError({"--scale": str(exc)}) from None


async def _serve(faults: dict[str, Faults], scale: Scale | None, port: int, as_json: bool) -> None:
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.sandbox import show_sandbox  # noqa: PLC0415 (rich)
    from jobping.sandbox import serve_sandbox  # noqa: PLC0415 (aiohttp: fast start-up)

    async with serve_sandbox(faults, scale=scale, port=port) as running:
        show_sandbox(running, as_json=as_json)
        sys.stdout.flush()
        sys.stderr.write("sandbox serving on 127.0.0.1; Ctrl-C to stop\n")
        await anyio.sleep_forever()
