"""enbekshi-feeds: Atom feeds per category and language from Enbekshi QazaQ news dumps."""

# Feeds name it as their generator; things held back by one version are retried by the next.
# The package's version (pyproject.toml reads it from here).
__version__ = "0.5.0"
