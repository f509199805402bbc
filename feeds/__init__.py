"""enbekshi-feeds: Atom feeds per category and language from Enbekshi QazaQ news dumps."""
