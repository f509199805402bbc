"""One run at a time: the lock, who holds it, and what happens to a second run."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.lock import Busy, LockError, exclusive, held


def test_a_second_run_waits_then_gives_up_and_status_sees_the_first(tmp_path: Path) -> None:
    state = tmp_path / "state/feeds.sqlite3"
    assert not held(state)
    with exclusive(state, 1):
        assert held(state)
        with pytest.raises(Busy, match="another feeds run holds the lock"), exclusive(state, 0.1):
            pass
    assert not held(state)


def test_a_lock_file_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the state folder goes")
    with pytest.raises(LockError, match="is not a folder"), exclusive(tmp_path / "taken/feeds.sqlite3", 1):
        pass
