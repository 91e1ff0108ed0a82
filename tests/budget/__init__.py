"""Tests of token counting, prices, the model chain, the TokenBudget and its report."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

__all__ = ["NOW", "captured_logs"]

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


class _Collect(logging.Handler):
    def __init__(self, lines: list[str], level: int) -> None:
        super().__init__(level)
        self.lines = lines
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured_logs(*names: str, level: int = logging.DEBUG) -> Iterator[list[str]]:
    """Every record of the ``names`` loggers (and below) from ``level`` up, formatted.

    The handler sits on the loggers themselves, so it sees their records even when the CLI
    has set ``propagate = False`` on ``jobping``.
    """
    lines: list[str] = []
    handler = _Collect(lines, level)
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        for logger, before in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(before)
