"""``python -m tui.cli``: the same as the ``stancemark`` console script."""

from tui.cli import main

main()
