"""Write ``jobping/cli/_help_text.py``: the ``jobping --help`` that answers before typer loads.

Usage: ``.venv/bin/python scripts/cli_help.py`` after changing a command's name or help, or
a global option (``tests/cli/test_startup.py`` fails until it is run).
"""

from __future__ import annotations

from pathlib import Path

from jobping.cli._app import render_help
from jobping.cli._help_text import MIN_COLUMNS

TARGET = Path(__file__).parents[1] / "jobping" / "cli" / "_help_text.py"

TEMPLATE = '''"""What ``jobping --help`` prints on a terminal {columns} columns wide or wider.

Written by ``scripts/cli_help.py`` from the typer app (do not edit); ``jobping.cli.main``
prints it without loading typer, and ``tests/cli/test_startup.py`` checks it is current.
"""

MIN_COLUMNS = {columns}
"""Click wraps help at ``min(columns, 80) - 2``: from 80 columns on the text never changes."""

HELP = """\\
{text}"""
'''


def main() -> None:
    """Render the app's help and write it into ``TARGET``."""
    text = render_help()
    if '"""' in text or "\\" in text:
        raise SystemExit("the help text holds a triple quote or a backslash: quote it by hand")
    TARGET.write_text(TEMPLATE.format(columns=MIN_COLUMNS, text=text), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
