"""`python -m workbench.cli`: the headless CLI alone."""

from workbench.cli import main

main()
