"""Entry point of ``python -m analysis``."""

import sys

from analysis.cli import main
from analysis.memory import use_lean_allocator

if __name__ == "__main__":
    use_lean_allocator()  # the Arrow pool that hands freed memory back (analysis.memory)
    sys.exit(main())
