"""``jobping sandbox``'s listing: each source's base URL, targets and faults, and OpenAI's."""

from __future__ import annotations

from rich.text import Text

from jobping.cli._console import emit_json, stdout
from jobping.sandbox import Sandbox

__all__ = ["show_sandbox"]


def show_sandbox(running: Sandbox, *, as_json: bool) -> None:
    """Where the running sandbox serves each source (and OpenAI), on stdout."""
    if as_json:
        emit_json(
            {
                name: {
                    "base_url": url,
                    "targets": list(running.targets[name]),
                    "faults": str(running.faults[name]),
                }
                for name, url in running.base_urls.items()
            }
            | {"openai": {"base_url": running.openai_base_url}}
        )
        return
    console = stdout()
    for name, url in running.base_urls.items():
        targets = running.targets[name]
        shown = ", ".join(targets[:3]) + (f", ... ({len(targets)})" if len(targets) > 3 else "")
        faults = running.faults[name]
        line = f"{name:<16} {url:<46} targets: {shown}"
        console.print(Text(line if str(faults) == "none" else f"{line}; faults: {faults}"))
    openai = f"{'openai':<16} {running.openai_base_url:<46} OPENAI_BASE_URL (any OPENAI_API_KEY)"
    console.print(Text(openai))
