"""A running sandbox can change: boards edited, faults switched, for day-2 tests (#10)."""

from __future__ import annotations

import httpx
import pytest

from jobping.sandbox import Faults, Scale, serve_sandbox

pytestmark = pytest.mark.anyio


async def test_an_edited_board_is_served_at_the_next_request() -> None:
    """replace_items changes what the target serves, at once."""
    async with serve_sandbox() as sandbox, httpx.AsyncClient() as client:
        target = sandbox.targets["lever"][0]
        board = sandbox.board("lever", target)
        items = board.items()
        board.replace_items([{**items[0], "text": "Edited title"}])

        answer = await client.get(f"{sandbox.base_urls['lever']}/{target}", params={"mode": "json"})

    assert [posting["text"] for posting in answer.json()] == ["Edited title"]


async def test_a_source_turned_down_drops_connections_and_comes_back() -> None:
    """set_faults(down) makes requests fail at the transport; switching it off heals it."""
    async with serve_sandbox() as sandbox, httpx.AsyncClient() as client:
        url = f"{sandbox.base_urls['lever']}/{sandbox.targets['lever'][0]}"
        sandbox.set_faults("lever", Faults(down=True))
        with pytest.raises(httpx.TransportError):
            await client.get(url, params={"mode": "json"})
        sandbox.set_faults("lever", Faults())
        answer = await client.get(url, params={"mode": "json"})

    assert answer.status_code == 200


async def test_rate_limiting_switched_on_refuses_the_first_request_then_lets_one_through() -> None:
    """The 429-every-other-request cycle starts when the fault is switched on."""
    async with serve_sandbox() as sandbox, httpx.AsyncClient() as client:
        url = f"{sandbox.base_urls['lever']}/{sandbox.targets['lever'][0]}"
        await client.get(url, params={"mode": "json"})  # one request before: must not matter
        sandbox.set_faults("lever", Faults(rate_limited=True, retry_after_seconds=0))
        statuses = [(await client.get(url, params={"mode": "json"})).status_code for _ in range(3)]

    assert statuses == [429, 200, 429]


async def test_changes_that_cannot_be_made_are_refused() -> None:
    """A source started down cannot be switched; a synthesized board cannot be edited."""
    async with serve_sandbox({"lever": Faults(down=True)}, scale=Scale(1, 5)) as sandbox:
        with pytest.raises(ValueError, match="started down"):
            sandbox.set_faults("lever", Faults())
        board = sandbox.board("ashby", sandbox.targets["ashby"][0])
        with pytest.raises(ValueError, match="synthesized"):
            board.replace_items([])
