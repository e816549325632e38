"""`python -m pearldeck` runs the `pearls` command."""

from pearldeck.cli import main

main()
