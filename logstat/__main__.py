"""``python -m logstat``."""

from logstat.cli import main

main()
