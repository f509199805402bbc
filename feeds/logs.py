"""Logging set-up for the command: plain lines for people and cron mail, JSON lines for collectors."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from feeds.models import Problem

# Attributes every LogRecord has; anything else was passed through `extra=` and belongs in JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(verbosity: int, log_format: str) -> None:
    """`verbosity`: -1 warnings only (-q), 0 one line per run, 1 and more debug (-v)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    root = logging.getLogger()
    # Ours replaces the one a previous call added (the command called twice in one process);
    # anyone else's handler (a test's, an embedding application's) stays.
    root.handlers[:] = [other for other in root.handlers if not getattr(other, "feeds_cli", False)]
    handler.feeds_cli = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Third-party chatter (APScheduler announces every job run) only when asked for with -v.
    for noisy in ("apscheduler", "watchdog", "filelock"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity > 1 else logging.WARNING)


def log_problem(problem: Problem) -> None:
    """One line per bad thing, with its parts as fields for JSON logs."""
    logging.getLogger("feeds.problems").warning(
        str(problem), extra={"file": problem.file, "line": problem.line, "outcome": problem.outcome})
