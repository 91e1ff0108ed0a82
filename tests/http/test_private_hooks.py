"""The private aiohttp and httpx attributes JobPing relies on are still there."""

from __future__ import annotations

import pytest

from jobping.http._private_hooks import HOOKS, missing_hooks


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_each_private_hook_is_present_in_the_installed_version(hook: str) -> None:
    """An upgrade that removes a private attribute fails here, naming it."""
    assert HOOKS[hook](), f"{hook} is gone: see jobping/http/_private_hooks.py"


def test_missing_hooks_names_a_removed_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook whose attribute disappeared is reported by its name, the others not."""
    monkeypatch.setitem(HOOKS, "some.Thing._gone", lambda: False)
    assert missing_hooks() == ["some.Thing._gone"]
