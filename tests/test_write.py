"""Files of `out/` written atomically, only when their bytes change; what counts as intact; the flush."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feeds.layout import TEMP_PREFIX
from feeds.write import OutputError, flush, intact, remove_stale_temporaries, write_if_changed


def test_a_file_is_written_only_when_its_bytes_change(tmp_path: Path) -> None:
    target = tmp_path / "lang/en.atom"
    assert write_if_changed(target, b"one") and target.read_bytes() == b"one"
    before = target.stat().st_mtime_ns
    assert not write_if_changed(target, b"one") and target.stat().st_mtime_ns == before
    assert write_if_changed(target, b"two") and oct(target.stat().st_mode & 0o777) == "0o644"
    assert [path.name for path in target.parent.iterdir()] == ["en.atom"]  # no temporary left


def test_intact_means_a_regular_file_with_bytes(tmp_path: Path) -> None:
    (tmp_path / "full").write_text("x")
    (tmp_path / "empty").write_text("")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "full")
    assert [intact(tmp_path / name) for name in ("full", "empty", "folder", "link", "missing")] == [True, False, False, False, False]


def test_only_temporaries_named_as_the_writer_names_them_are_swept(tmp_path: Path) -> None:
    ours = tmp_path / f"lang/{TEMP_PREFIX}en.atom.ab_12cd3"
    theirs = [tmp_path / ".tmp-notes", tmp_path / f"{TEMP_PREFIX}notes", tmp_path / f"lang/{TEMP_PREFIX}x.atom.ab"]
    for path in [ours, *theirs]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert remove_stale_temporaries(tmp_path) == 1 and not ours.exists() and all(path.exists() for path in theirs)


def test_a_flush_of_a_folder_that_is_not_there_is_the_output_folder_failing(tmp_path: Path) -> None:
    flush(tmp_path)
    with pytest.raises(OutputError, match="cannot flush"):
        flush(tmp_path / "missing")
    assert os.path.isdir(tmp_path)


def test_a_link_in_a_files_place_is_replaced_even_when_it_leads_to_the_same_bytes(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.atom").write_bytes(b"feed")
    (tmp_path / "all.atom").symlink_to(tmp_path / "elsewhere.atom")
    assert write_if_changed(tmp_path / "all.atom", b"feed") and not (tmp_path / "all.atom").is_symlink()
