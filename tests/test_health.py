"""The health verdict of `feeds status --check` and `/healthz`, on plain status figures."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from feeds.health import verdict
from feeds.models import FinishedRun, QuarantinedArticle, Status

NOW = 1_000_000.0


def status(**changes: Any) -> Status:
    healthy = Status(articles=39, by_language={"en": 35, "ru": 4}, by_category={"world": 39}, feeds=29, seed_files=2,
                     version="x", last_run=FinishedRun(NOW - 60, "...", None), last_new_dump_at=NOW - 3600,
                     feeds_complete_at=NOW - 60, search_complete_at=None, search_pages_due=False, files_with_problems={},
                     files_rejected=0, records_skipped=0, quarantined_articles=[], feeds_not_written={},
                     pages_not_written={}, search_shards_not_built={})
    return replace(healthy, **changes)


def test_a_healthy_store_says_what_it_holds() -> None:
    health = verdict(status(), NOW, 24)
    assert health.healthy and health.line() == "OK: 39 articles in 29 feeds; last run 1 min ago; last new dump 60 min ago"


def test_each_kind_of_trouble_is_named_in_one_line() -> None:
    health = verdict(status(last_run=FinishedRun(NOW, "", "cannot write into out"),
                            files_rejected=2, records_skipped=1, quarantined_articles=[QuarantinedArticle("urn:uuid:1", "T", "x", NOW)], feeds_not_written={"all": "x"},
                            last_new_dump_at=NOW - 30 * 3600), NOW, 24)
    assert not health.healthy
    assert health.line() == ("UNHEALTHY: the last run failed: cannot write into out; 2 files rejected; 1 record skipped; "
                             "1 article quarantined; 1 feed not written; no new dump for 30.0 h (watch.stale_after is 24 h) "
                             "(details: `feeds status`)")


def test_a_store_that_never_ran_or_never_read_a_dump_is_unhealthy() -> None:
    health = verdict(status(last_run=None, last_new_dump_at=None), NOW, 24)
    assert health.problems == ("no run has finished yet", "no dump has been read yet")


def test_a_run_that_did_not_finish_is_named_by_its_stage_until_one_does() -> None:
    stopped = verdict(status(run_stage="publishing feeds and pages"), NOW, 24)
    assert not stopped.healthy and stopped.problems == ("incomplete: the last run stopped while publishing feeds and pages",)
    running = verdict(status(run_stage="reading dumps", run_in_progress=True), NOW, 24)
    assert running.healthy and "a run is under way (reading dumps)" in running.facts
    after_a_crash = verdict(status(run_stage="reading dumps", run_in_progress=True, interrupted_stage="flushing out/ to disk"),
                            NOW, 24)
    assert after_a_crash.problems == ("incomplete: the last run stopped while flushing out/ to disk; another is under way",)


def test_pages_and_search_shards_held_back_are_counted() -> None:
    health = verdict(status(pages_not_written={"articles/a.html": "x", "articles/b.html": "y"},
                            search_shards_not_built={"search index kk-1": "z"}), NOW, 24)
    assert health.problems == ("2 article pages not written", "1 search shard not built")
