"""`python -m webaudit` runs the command line."""

from .cli import main

main()
