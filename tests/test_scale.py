"""Work per run is proportional to what changed: a one-dump increment writes as many files and
runs as many SQL statements on a store of 5,000 articles (a copy of the shared `corpus`) as on one
of 500, under fixed bounds. Nothing is timed; the benchmarks (`benchmarks/`) measure time. The search
index's share of an increment is bounded in `test_search.py` (one shard rebuilt)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, project_config

from feeds import store as store_module
from feeds.run import build
from feeds.settings import load_settings

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus as generated

pytestmark = pytest.mark.slow  # stores of 500 and 5,000 articles

# Measured: 146 and 170 files (20 article pages; about 25 feeds touched, 4 documents each, and the
# archive pages at their boundary in 3 formats); 737 and 760 statements.
MAX_FILES_WRITTEN = 250
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


def one_dump_increment(folder: Path, statements: list[str]) -> tuple[int, int]:
    """(files written, SQL statements) of the run that publishes one new dump of 20 articles."""
    generated.write_corpus(folder / "seeds", 20, seed=7, first_file=90_000)
    statements.clear()
    report = build(load_settings(folder / "config.yaml"))
    assert report.articles_new == 20
    return len(report.outputs_written), len(statements)


def test_a_one_dump_increment_costs_the_same_on_a_bigger_store(tmp_path: Path, corpus: Path,
                                                                statements: list[str]) -> None:
    generated.write_corpus(tmp_path / "small/seeds", 500)
    (tmp_path / "small/config.yaml").write_text(project_config())
    build(load_settings(tmp_path / "small/config.yaml"))
    small = one_dump_increment(tmp_path / "small", statements)
    copy = copy_of(corpus, tmp_path / "large")
    build(load_settings(copy / "config.yaml"))  # a copied file is another file: each seed is checked again
    large = one_dump_increment(copy, statements)
    print(f"files written, SQL statements: 500 articles {small}, 5,000 articles {large}")
    assert large[0] <= MAX_FILES_WRITTEN and large[1] <= MAX_STATEMENTS
    assert small[0] <= MAX_FILES_WRITTEN and small[1] <= MAX_STATEMENTS
