"""Is the publisher healthy? One verdict for `feeds status --check` and `feeds serve`'s `/healthz`.

Pure: from what the store reports, the clock and `watch.stale_after`. Unhealthy when the last run
failed or did not finish every stage (its files flushed), when anything is held back (a rejected
file, a skipped record, a quarantined article, a feed, an article page or a search shard that could
not be written), or when no new dump has arrived for `stale_after` hours. A run under way is a
fact, not a problem; what the run before it left unfinished stays one until a run finishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feeds.models import Status

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


def verdict(status: Status, now: float, stale_after_hours: float) -> Health:
    problems: list[str] = []
    facts = [f"{status.articles} articles in {status.feeds} feeds"]
    last = status.last_run
    if status.run_in_progress:
        facts.append(f"a run is under way ({status.run_stage or 'starting'})")
        if status.interrupted_stage:
            problems.append(f"incomplete: the last run stopped while {status.interrupted_stage}; another is under way")
    elif status.run_stage:
        problems.append(f"incomplete: the last run stopped while {status.run_stage}")
    if last is None:
        problems.append("no run has finished yet")
    elif last.error:
        problems.append(f"the last run failed: {last.error}")
    else:
        facts.append(f"last run {_ago(now - last.finished_at)} ago")
    for count, one, many in ((status.files_rejected, "file rejected", "files rejected"),
                             (status.records_skipped, "record skipped", "records skipped"),
                             (len(status.quarantined_articles), "article quarantined", "articles quarantined"),
                             (len(status.feeds_not_written), "feed not written", "feeds not written"),
                             (len(status.pages_not_written), "article page not written", "article pages not written"),
                             (len(status.search_shards_not_built), "search shard not built", "search shards not built")):
        if count:
            problems.append(f"{count} {one if count == 1 else many}")
    arrived = status.last_new_dump_at
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
