"""``python -m jobping`` runs the CLI."""

from jobping.cli import main

main()
