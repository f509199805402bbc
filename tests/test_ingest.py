"""Ingest on its own: seeds into a store, translations merged, instants placed, revisions moved to
the head, memberships decided and recomputed when the rules change."""

from __future__ import annotations

import os
import time
from datetime import date
from itertools import pairwise
from pathlib import Path
from random import Random

import feedparser
import pytest
from conftest import dump, run_feeds

from feeds import signatures
from feeds.catalogue import Catalogue
from feeds.ingest import Ingest, IngestReport, oldest_first, printable, seed_files, written_at
from feeds.publish import quarantine
from feeds.settings import Labels, load_settings
from feeds.store import Store
from feeds.timing import to_datetime

GOV = "https://www.gov.kz/memleket/entities/{}/press/news/details/{}?lang=kk"


@pytest.fixture
def ingest(project: Path) -> Ingest:
    settings = load_settings(project / "config.yaml")
    return Ingest(Store(settings.paths.state), settings, Catalogue.of(settings))


def read(ingest: Ingest) -> IngestReport:
    """One ingest on the real clock: the dumps' modification times are the kernel's, so a pinned
    clock would see today's files as written in its future."""
    return ingest.seeds(time.time())


def test_the_seeds_become_39_articles_and_one_alias(ingest: Ingest) -> None:
    report = read(ingest)
    assert (report.files_new, report.articles_new, report.articles_merged, report.problems) == (2, 39, 1, [])
    assert ingest.store.articles.counts().by_language == {"en": 35, "ru": 4}
    again = read(ingest)
    assert again.files_unchanged == 2 and again.articles_new == 0


def test_a_fresh_day_spreads_its_articles_evenly_on_whole_seconds(ingest: Ingest, project: Path) -> None:
    records = [(f"Article {n} 05.03.2026", f"Body {n}.Source : {GOV.format('mfa', 2000 + n)}") for n in range(13, 0, -1)]
    (project / "seeds/005_day.txt").write_text(dump(*records))
    read(ingest)
    instants = sorted(published for _, published in ingest.store.articles.instants_on(date(2026, 3, 5)))
    gaps = {later - earlier for earlier, later in pairwise(instants)}
    assert len(instants) == 13 and gaps <= {6171_000_000, 6172_000_000}  # a 14th of a day, 1 h 42 min 51 s, on whole seconds


def test_a_day_fed_dump_after_dump_keeps_its_articles_on_it_and_each_dump_costs_the_same(ingest: Ingest, project: Path) -> None:
    """Sixteen dumps of one day, each newer than the last (a million articles make 27 a day): every
    article stays on its date, and the last dump asks the store no more than the second did. Spread
    over the rest of the day each time, the twelfth ran out of microseconds; its articles went to
    the next day, each walking the store a microsecond per question."""
    day, costs = date(2026, 3, 6), []
    for number in range(16):
        records = [(f"Release {number}-{n} 06.03.2026", f"Body {number} {n}.Source : {GOV.format('mfa', 5000 + number * 20 + n)}")
                   for n in range(20, 0, -1)]
        (project / f"seeds/1{number:02d}_day.txt").write_text(dump(*records))
        asked: list[str] = []
        ingest.store.db.set_trace_callback(asked.append)
        read(ingest)
        ingest.store.db.set_trace_callback(None)
        costs.append(len(asked))
    instants = sorted(published for _, published in ingest.store.articles.instants_on(day))
    assert len(instants) == 320 and all(to_datetime(at).date() == day for at in instants)
    assert costs[-1] <= costs[1]


def test_a_revised_article_keeps_its_id_and_published_and_moves_to_the_head(ingest: Ingest, project: Path) -> None:
    now = int(time.time())  # whole seconds: a float of today loses the microseconds the store keeps
    dump_file = project / "seeds/005_one.txt"
    dump_file.write_text(dump(("Revised later 05.03.2026", f"First text.Source : {GOV.format('mfa', 3000)}")))
    os.utime(dump_file, (now - 100, now - 100))
    read(ingest)
    article_id = next(item.id for item in ingest.store.articles.traits_after("", 100) if item.title == "Revised later")
    before = ingest.store.articles.stored_version(article_id)
    dump_file.write_text(dump(("Revised later 05.03.2026", f"Second text.Source : {GOV.format('mfa', 3000)}")))
    os.utime(dump_file, (now - 50, now - 50))
    report = read(ingest)
    after = ingest.store.articles.stored_version(article_id)
    assert report.articles_updated == 1 and after.published_us == before.published_us
    assert after.updated_us == (now - 50) * 1_000_000 > before.updated_us


def test_new_topic_rules_move_only_the_memberships_that_differ(ingest: Ingest) -> None:
    read(ingest)
    with ingest.store.transaction():
        assert ingest.reclassify(signatures.classification(ingest.settings)) == 0  # rules unchanged
    with_topics = sum(1 for article in ingest.store.articles.traits_after("", 100) if article.topics)
    settings = ingest.settings.model_copy(update={"topics": []})
    changed = Ingest(ingest.store, settings, Catalogue.of(settings))
    with ingest.store.transaction():
        assert changed.reclassify(signatures.classification(settings)) == with_topics > 0
    counts = {feed.path: feed.entry_count for feed in ingest.store.feeds.all()}
    assert counts["all"] == 39 and all(count == 0 for path, count in counts.items() if path.startswith("topic/"))


def test_a_renamed_agency_retitles_the_releases_titled_by_its_name_and_renders_them_again(ingest: Ingest) -> None:
    """A wordless release is titled by its agency's name when its dump is read; its dump is not
    read again, so reclassifying (after `agencies:` changed) invents the title again."""
    read(ingest)
    titled = [article for article in ingest.store.articles.traits_after("", 100) if article.title.startswith("Press release")]
    assert [article.title for article in titled] == ["Press release of Akimat of Almaty Region, 24.01.2026"]
    ingest.store.renderings.mark_rendered([titled[0].id])
    agencies = dict(ingest.settings.agencies)
    agencies["almobl"] = agencies["almobl"].model_copy(update={"name": Labels(en="Almaty Region Akimat")})
    settings = ingest.settings.model_copy(update={"agencies": agencies})
    with ingest.store.transaction():
        assert Ingest(ingest.store, settings, Catalogue.of(settings)).reclassify(signatures.classification(settings)) == 1
    assert ingest.store.articles.traits(titled[0].id).title == "Press release of Almaty Region Akimat, 24.01.2026"
    due, _ = ingest.store.renderings.unrendered(100)
    assert titled[0].id in {entry.id for entry, page_alone in due if not page_alone}  # rendered again, entry and page


def test_seed_files_are_listed_with_printable_names_and_read_oldest_first(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    with open(os.fsencode(tmp_path) + b"/a\xff\n.txt", "w") as stream:
        stream.write("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "c.txt.part").write_text("x")
    os.utime(tmp_path / "b.txt", (1, 1))
    assert [seed.name for seed in sorted(seed_files(tmp_path), key=oldest_first)] == ["b.txt", "a\\xff\\n.txt"]
    assert printable("back\\slash") == "back\\\\slash"


def test_an_implausible_mtime_is_not_believed() -> None:
    read_at = 1_795_600_000.0  # any instant: the function is given both times it compares
    assert written_at(-1, read_at) == (int(read_at * 1_000_000), "modification time before 1970: taken as the time it was read")
    assert written_at(int(read_at * 1e9) - 10**9, read_at) == (int(read_at * 1_000_000) - 1_000_000, None)
    assert written_at(9_300_000_000 * 10**9, read_at)[1].startswith("modification time 2264-")


def test_an_article_quarantined_under_other_settings_or_program_rejoins_its_feeds(ingest: Ingest) -> None:
    read(ingest)
    (first, *_) = ingest.store.articles.traits_after("", 1)
    with ingest.store.transaction():
        quarantine(ingest.store, first.id, "could not be rendered", "signature-1", time.time())
    assert ingest.store.feeds.of(first.id) == set()
    with ingest.store.transaction():
        assert ingest.release_quarantined("signature-1") == 0
        assert ingest.release_quarantined("signature-2") == 1
    assert "all" in ingest.store.feeds.of(first.id) and ingest.store.held.all() == []


def test_two_different_names_never_print_alike() -> None:
    assert printable(os.fsdecode(b"x\x85.txt")) == "x\\x85.txt"
    assert printable("x\u0085.txt") == "x\\u0085.txt"
    assert printable("tab\there") == "tab\\there"


def test_a_file_of_many_bad_records_lists_fifty_and_counts_the_rest(ingest: Ingest, project: Path) -> None:
    (project / "seeds/005_bad.txt").write_text(dump(*[(f"Bad {n} 31.02.2026", "Body.") for n in range(500)]))
    report = read(ingest)
    assert report.records_skipped == 500
    (stored,) = [found for name, found in ingest.store.seeds.problems().items() if name == "005_bad.txt"]
    assert len(stored) == 51 and stored[-1].count == 450 and stored[-1].reason == "450 more like these, not listed"


@pytest.mark.slow  # 2,000 records
def test_thousands_of_source_less_records_of_one_day_take_linear_time(ingest: Ingest, project: Path) -> None:
    words = [f"word{n}" for n in range(5000)]
    rng = Random(7)
    records = [(f"Release number {n} 03.03.2026", " ".join(rng.sample(words, 60)) + ".") for n in range(2000)]
    (project / "seeds/005_many.txt").write_text(dump(*records))
    started = time.perf_counter()
    report = read(ingest)
    assert report.articles_new == 39 + 2000 and time.perf_counter() - started < 20  # quadratic took minutes


def test_a_file_gone_between_listing_and_reading_is_simply_not_there(ingest: Ingest, project: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from feeds import ingest as ingest_module

    def vanished(path: Path) -> bytes:
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(ingest_module, "read_bounded", vanished)
    report = read(ingest)
    assert report.problems == [] and report.files_rejected == 0 and report.files_new == 0


def test_a_version_1_store_reads_its_problem_files_again(project: Path) -> None:
    import sqlite3

    from conftest import ROOT
    (project / "state").mkdir()
    with sqlite3.connect(project / "state/feeds.sqlite3") as db:
        db.executescript((ROOT / "tests/data/store-v1.sql").read_text())
    for seed in (project / "seeds").iterdir():
        seed.unlink()
    (project / "seeds/001_a.txt").write_text(
        "Enbekshi QazaQ\n\nWorld\n\nFirst article 01.02.2026\nIts body.Source : "
        "https://www.gov.kz/memleket/entities/mfa/press/news/details/100?lang=kk\nBad date 31.02.2026\nBody.\n")
    settings = load_settings(project / "config.yaml")
    ingest = Ingest(Store(settings.paths.state), settings, Catalogue.of(settings))
    assert ingest.store.meta("last_new_dump_at") is not None  # the upgrade counts as news, not as staleness
    report = read(ingest)
    assert report.records_skipped == 1 and report.articles_unchanged == 1
    assert [p.reason.split(" (")[0] for p in ingest.store.seeds.problems()["001_a.txt"]] == ["impossible date 31.02.2026"]


def test_a_record_that_gains_its_source_line_stays_one_article(small: Path) -> None:
    project = small
    body = "The akimat held a meeting on the heating season. Twelve schools were checked."
    (project / "seeds/010_first.txt").write_text(dump(("Heating season meeting held 03.03.2026", body)))
    assert run_feeds("build", cwd=project).returncode == 0
    url = "https://www.gov.kz/memleket/entities/kostanay/press/news/details/4000001?lang=kk"
    (project / "seeds/010_first.txt").write_text(dump(("Heating season meeting held 03.03.2026", f"{body}Source : {url}")))
    result = run_feeds("build", cwd=project)
    assert "1 updated" in result.stdout and "0 new" in result.stdout
    entries = [e for e in feedparser.parse(str(project / "out/all.atom")).entries if e.title == "Heating season meeting held"]
    assert len(entries) == 1 and entries[0].links[0].href == url and entries[0].author == "Akimat of Kostanay Region"
    assert len(list((project / "out/articles").glob("*/*.html"))) == 4


LONG_BODY = ("The delegation visited the new industrial park and discussed investment projects with local companies. " * 6
             + "The parties agreed to continue cooperation.")


@pytest.mark.parametrize("cut_at", ["industrial park and disc", "agreed to continue cooperation.Sour",
                                    "cooperation.Source : https://www.gov.kz/memleket/entit"])
def test_a_dump_cut_short_then_restored_is_one_article_revised(small: Path, cut_at: str) -> None:
    """A dump copied while it was written ends mid-record (its Source line lost, cut or glued to a
    half word); the whole file later revises that article instead of adding a second entry."""
    project = small
    url = GOV.format("mti", 1000002)
    whole = dump(("Trade talks held 03.03.2026", f"Talks on trade. Both sides met.Source : {GOV.format('mfa', 1000001)}"),
                 ("Investment visit to the park 03.03.2026", f"{LONG_BODY}Source : {url}"))
    seed = project / "seeds/010_dump.txt"
    seed.write_text(whole[:whole.rindex(cut_at) + len(cut_at)])
    assert run_feeds("build", cwd=project).returncode == 0
    seed.write_text(whole)
    result = run_feeds("build", cwd=project)
    assert "0 new, 1 updated" in result.stdout
    entries = [e for e in feedparser.parse(str(project / "out/all.atom")).entries if e.title == "Investment visit to the park"]
    assert len(entries) == 1 and entries[0].links[0].href == url and "continue cooperation" in entries[0].content[0].value
    # Cut again (the next copy caught mid-write): the whole article stays as it is.
    seed.write_text(whole[:whole.rindex(cut_at) + len(cut_at)])
    assert "0 new, 0 updated, 2 unchanged" in run_feeds("build", cwd=project).stdout
    assert len(list((project / "out/articles").glob("*/*.html"))) == 5


def test_two_records_of_one_dump_with_one_title_and_day_stay_two_articles(small: Path) -> None:
    project = small
    seed = project / "seeds/010_dump.txt"
    first = ("Briefing 03.03.2026", f"Short.Source : {GOV.format('mfa', 5001)}")
    seed.write_text(dump(first))
    assert run_feeds("build", cwd=project).returncode == 0
    seed.write_text(dump(first, ("Briefing 03.03.2026", f"Short. And a second, longer briefing.Source : {GOV.format('mfa', 5002)}")))
    assert "1 new, 0 updated" in run_feeds("build", cwd=project).stdout


def test_reports_add_every_count_they_have() -> None:
    first, second = IngestReport(files_new=1, articles_new=3, records_skipped=1), IngestReport(files_new=2, files_deferred=4)
    first.add(second)
    assert (first.files_new, first.articles_new, first.files_deferred, first.records_skipped) == (3, 3, 4, 1)
