"""`python -m dtrack` is the `dtrack` command."""
from dtrack.cli import main

main()
