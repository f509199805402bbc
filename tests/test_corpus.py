"""Every document of a generated 5,000-article corpus (`benchmarks/corpus.py`: three languages,
eight sections, twelve agencies, bodies like the seeds') passes the suite's checks: RELAX NG and
Schematron for Atom, feedparser, and the text round trip of each RSS item against its Atom twin."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from conftest import BASE, ROOT, check_atom, check_rss, project_config, run_feeds

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus

pytestmark = pytest.mark.slow  # a 5,000-article build and a few thousand documents validated


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(project / "seeds", 5_000)
    config = project_config()
    (project / "config.yaml").write_text(config)
    result = run_feeds("build", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "out"


def test_every_atom_document_is_valid(out: Path) -> None:
    documents = sorted(out.rglob("*.atom"))
    assert len(documents) > 500
    with ProcessPoolExecutor() as pool:  # feedparser is pure Python: a core each
        list(pool.map(check_atom, documents, [BASE + str(document.relative_to(out)) for document in documents], chunksize=20))


def test_every_rss_document_says_in_html_exactly_what_its_atom_twin_says(out: Path) -> None:
    documents = sorted(out.rglob("*.rss"))
    assert len(documents) == len(list(out.rglob("*.atom")))
    with ProcessPoolExecutor() as pool:
        list(pool.map(check_rss, documents, [document.with_suffix(".atom") for document in documents], chunksize=20))
