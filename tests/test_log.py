from __future__ import annotations

import json
import logging

import pytest

from jobping.log import configure_logging

SENTINEL = "sk-SENTINEL-log-4242424242"


def _emit(fmt: str) -> None:
    configure_logging("DEBUG", fmt, secrets=[SENTINEL])
    log = logging.getLogger("jobping.test")
    log.info("calling https://api.example.com/jobs?app_key=%s&page=2", SENTINEL)
    try:
        raise RuntimeError(f"bad key {SENTINEL}")
    except RuntimeError:
        log.exception("request failed")


def test_text_logs_never_show_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    """A secret in a message argument or in an exception is redacted in text logs."""
    _emit("text")
    err = capsys.readouterr().err
    assert "page=2" in err
    assert "request failed" in err
    assert "RuntimeError" in err
    assert SENTINEL not in err


def test_json_logs_are_json_and_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """Each JSON log line parses, and no line shows the secret."""
    _emit("json")
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["msg"] for e in entries][1] == "request failed"
    assert "RuntimeError" in entries[1]["exc"]
    assert all(SENTINEL not in line for line in lines)


def test_http_library_loggers_are_quieted() -> None:
    """httpx and httpcore log full URLs at INFO, so they are set to WARNING."""
    configure_logging("DEBUG", "text")
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
