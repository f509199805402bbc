"""Bytes and work per article are bounded by design: a cold build writes each article's text into a
fixed number of files (its page and the subscription documents it is new in, never an archive
page) and a bounded number of bytes and documents per article; a one-dump increment writes as many
files and bytes and runs as many SQL statements on a store of 2,500 articles (a copy of the shared
`corpus`) as on one of 500, under fixed bounds; a wording change renders no entry. Nothing is
timed; the benchmarks (`benchmarks/`) measure time. The search index's share of an increment is
bounded in `test_search.py` (one shard rebuilt)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, project_config

from feeds import render
from feeds import store as store_module
from feeds.run import build
from feeds.settings import load_settings

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus as generated

# Measured on the 2,500-article corpus (no search index): 38.5 KB and 1.45 files per article, 19.5
# KB of it archive pages, whose entries average 1.16 KB in each format; the subscription documents,
# a fixed cost, are shared by fewer articles than at 5,000 (34.1 KB and 1.43 files there).
MAX_BYTES_PER_ARTICLE = 40_000
MAX_FILES_PER_ARTICLE = 1.5
MAX_ARCHIVED_ENTRY_BYTES = 1_200  # one entry in one format, on average
# Measured: 146 and 173 files (20 article pages; about 25 feeds touched, 4 documents each, and the
# archive pages at their boundary in 3 formats), 12.5 and 15.8 MB (nearly all of it the touched
# feeds' subscription documents: 50 entries with their text, in 3 formats); 803 and 854 statements.
MAX_FILES_WRITTEN = 250
MAX_BYTES_WRITTEN = 20_000_000
MAX_STATEMENTS = 1_000


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement any store connection runs."""
    run: list[str] = []
    opened = store_module.Store.__init__

    def tracing(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened(self, *args, **kwargs)
        self.db.set_trace_callback(run.append)

    monkeypatch.setattr(store_module.Store, "__init__", tracing)
    yield run


def copy_of(project: Path, to: Path) -> Path:
    """A project to change: its seeds, config and store copied, its published files linked (a run
    replaces a file, never writes into one, so the original's stay as they are)."""
    shutil.copytree(project / "seeds", to / "seeds")
    shutil.copytree(project / "state", to / "state")
    shutil.copytree(project / "out", to / "out", copy_function=os.link)
    shutil.copy(project / "config.yaml", to)
    return to


def one_dump_increment(folder: Path, statements: list[str]) -> tuple[int, int, int]:
    """(files written, bytes written, SQL statements) of the run that publishes one new dump of 20
    articles."""
    generated.write_corpus(folder / "seeds", 20, seed=7, first_file=90_000)
    statements.clear()
    report = build(load_settings(folder / "config.yaml"))
    assert report.articles_new == 20
    written = sum((folder / "out" / relative).stat().st_size for relative in report.written)
    return len(report.written), written, len(statements)


@pytest.mark.slow
def test_a_cold_build_writes_bounded_bytes_per_article_and_no_text_into_archives(corpus: Path) -> None:
    out, articles = corpus / "out", 2_500
    files = [path for path in out.rglob("*") if path.is_file()]
    total = sum(path.stat().st_size for path in files)
    print(f"{total / articles:,.0f} bytes and {len(files) / articles:.2f} files per article")
    assert total / articles <= MAX_BYTES_PER_ARTICLE and len(files) / articles <= MAX_FILES_PER_ARTICLE
    pages = [path for path in (out / "archive").rglob("*") if path.is_file()]
    archived = sum(len(json.loads(page.read_text(encoding="utf-8"))["items"]) for page in pages if page.suffix == ".json")
    assert sum(page.stat().st_size for page in pages) / (3 * archived) <= MAX_ARCHIVED_ENTRY_BYTES
    # The text of an archived article is in its page (and the search index), not in 21 archive documents.
    for page in pages:
        data = page.read_bytes()
        assert b"<content " not in data and b"<content:encoded>" not in data and b'"content_html"' not in data, page
    assert b"<content " in (out / "all.atom").read_bytes()


def test_a_wording_change_renders_no_entry_and_rewrites_no_feed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New wording is on the pages; the entries' fragments and the feeds stay as they were."""
    settings = load_settings(project / "config.yaml")
    build(settings)
    feeds_before = {path: path.read_bytes() for path in (project / "out").rglob("*.atom")}
    rendered: list[str] = []
    fragments = render.fragments
    monkeypatch.setattr(render, "fragments", lambda entry, site: rendered.append(entry.id) or fragments(entry, site))
    config = project / "config.yaml"
    config.write_text(config.read_text() + 'interface:\n  home: {en: "{site}: all of it", ru: "{site}: всё", kk: "{site}: бәрі"}\n')
    report = build(load_settings(config))
    assert rendered == []
    assert {path: path.read_bytes() for path in (project / "out").rglob("*.atom")} == feeds_before
    # the pages, and the feed view's stylesheet, which links home in these words
    assert all(relative.startswith(("articles/", "index", "assets/feed.xsl")) for relative in report.written)
    assert len([relative for relative in report.written if relative.startswith("articles/")]) == 39
    page = next((project / "out/articles").rglob("*.html")).read_text(encoding="utf-8")
    assert "Enbekshi QazaQ: all of it" in page or "Enbekshi QazaQ: всё" in page


@pytest.mark.slow
def test_a_one_dump_increment_costs_the_same_on_a_bigger_store(tmp_path: Path, corpus: Path,
                                                                statements: list[str]) -> None:
    generated.write_corpus(tmp_path / "small/seeds", 500)
    (tmp_path / "small/config.yaml").write_text(project_config())
    build(load_settings(tmp_path / "small/config.yaml"))
    small = one_dump_increment(tmp_path / "small", statements)
    copy = copy_of(corpus, tmp_path / "large")
    build(load_settings(copy / "config.yaml"))  # a copied file is another file: each seed is checked again
    large = one_dump_increment(copy, statements)
    print(f"files written, bytes written, SQL statements: 500 articles {small}, 2,500 articles {large}")
    for figures in (small, large):
        assert figures[0] <= MAX_FILES_WRITTEN and figures[1] <= MAX_BYTES_WRITTEN and figures[2] <= MAX_STATEMENTS
