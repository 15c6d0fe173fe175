"""``python -m milex``: the same as the ``milex`` command."""

from milex.cli import main

main()
