"""``python -m logstat``."""

from logstat.launch import main

main()
