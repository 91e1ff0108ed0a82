"""A local stand-in for every built-in scraper's API and for OpenAI, with faults on demand.

``serve_sandbox()`` serves the recorded payloads shipped in ``payloads/`` on 127.0.0.1,
under the real APIs' paths and paginated as they paginate, one port per source, and an
OpenAI-compatible ``POST /v1/chat/completions`` that answers valid enrichments with a
realistic ``usage`` (``ChatCompletions``: no model, no key, deterministic)::

    async with serve_sandbox({"greenhouse": Faults(error_rate=0.2)}) as sandbox:
        settings = sandbox.apply(settings)  # base URLs, targets, OpenAI, placeholder keys
        sandbox.base_urls["greenhouse"]     # http://127.0.0.1:PORT/v1/boards
        sandbox.openai_base_url             # http://127.0.0.1:PORT/v1

``Faults`` switch a source down, make it answer 5xx or 429, slow, or malformed; ``Scale``
synthesizes many targets and jobs for a benchmark. ``jobping sandbox`` serves one in the
foreground; ``--sandbox`` on ``jobping scrape`` and ``jobping run`` starts one in-process.
"""

from jobping.sandbox._data import Scale
from jobping.sandbox._faults import Faults
from jobping.sandbox._openai import ChatCompletions, ChatUsage, Completion
from jobping.sandbox._server import HOST, SOURCES, Sandbox, serve_sandbox

__all__ = [
    "HOST",
    "SOURCES",
    "ChatCompletions",
    "ChatUsage",
    "Completion",
    "Faults",
    "Sandbox",
    "Scale",
    "serve_sandbox",
]
