"""`python -m feeds` is the `feeds` command."""

import sys

from feeds.cli import main

if __name__ == "__main__":  # not when a worker process imports this module again
    sys.exit(main())
