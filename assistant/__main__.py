"""`python -m assistant` runs the `q1audit` command (handy where the console script is not on PATH)."""

from assistant.cli import main

main()
