"""Is the publisher healthy? One verdict for `feeds status --check` and `feeds serve`'s `/healthz`.

Pure: from what the store reports, the clock and `watch.stale_after`. Unhealthy when the last run
failed, when anything is held back (a rejected file, a skipped record, a quarantined article, a
feed that could not be written), or when no new dump has arrived for `stale_after` hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOUR = 3600


@dataclass(frozen=True)
class Health:
    healthy: bool
    problems: tuple[str, ...]
    facts: tuple[str, ...]

    def line(self) -> str:
        """One line for cron mail or a monitoring check."""
        if self.healthy:
            return "OK: " + "; ".join(self.facts)
        return "UNHEALTHY: " + "; ".join(self.problems) + " (details: `feeds status`)"

    def as_json(self) -> dict[str, Any]:
        return {"healthy": self.healthy, "problems": list(self.problems), "facts": list(self.facts)}


def verdict(status: dict[str, Any], now: float, stale_after_hours: float) -> Health:
    problems: list[str] = []
    facts = [f"{status['articles']} articles in {status['feeds']} feeds"]
    last = status["last_run"]
    if last is None:
        problems.append("no run has finished yet")
    elif last["error"]:
        problems.append(f"the last run failed: {last['error']}")
    else:
        facts.append(f"last run {_ago(now - last['finished_at'])} ago")
    for count, what in ((status["files_rejected"], "file rejected"), (status["records_skipped"], "record skipped"),
                        (len(status["quarantined_articles"]), "article quarantined"),
                        (len(status["feeds_not_written"]), "feed not written")):
        if count:
            noun, _, verb = what.partition(" ")
            problems.append(f"{count} {noun}{'' if count == 1 else 's'} {verb}")
    arrived = status["last_new_dump_at"]
    if arrived is None:
        problems.append("no dump has been read yet")
    elif now - arrived > stale_after_hours * HOUR:
        problems.append(f"no new dump for {_ago(now - arrived)} (watch.stale_after is {stale_after_hours:g} h)")
    else:
        facts.append(f"last new dump {_ago(now - arrived)} ago")
    return Health(not problems, tuple(problems), tuple(facts))


def _ago(seconds: float) -> str:
    if seconds < 2 * HOUR:
        return f"{max(seconds, 0) / 60:.0f} min"
    return f"{seconds / HOUR:.1f} h"
