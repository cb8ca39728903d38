"""`python -m screens`: the `workbench` command (screens/start.py)."""

from screens.start import main

main()
