"""enbekshi-feeds: Atom feeds per category and language from Enbekshi QazaQ news dumps."""

from importlib.metadata import version

# Feeds name it as their generator; things held back by one version are retried by the next.
__version__ = version("enbekshi-feeds")
