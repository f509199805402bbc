"""`python -m feeds` is the `feeds` command."""

import sys

from feeds.cli import main

sys.exit(main())
