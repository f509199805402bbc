"""Small fixtures: the bundled seeds, the shared schemas, a dump writer and a real `feeds` process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCHEMAS = ROOT.parent / "shared" / "schemas"
SEED_000 = "000_793b351cc4328b6c.txt"
SEED_002 = "002_6ececeaa680a1434.txt"


def dump(*records: tuple[str, str], section: str = "World", site: str = "Enbekshi QazaQ") -> str:
    """A dump's text from (title line, body line) pairs, in the format of the real seeds."""
    lines = [site, "", section, ""]
    for title, body in records:
        lines.append(title)
        if body:
            lines.append(body)
    return "\n".join(lines)


def run_feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, as a user or cron would run it."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the bundled seeds, a config and nothing built yet."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    # Dumps the tests write are complete at once: no need to wait for them to settle.
    (tmp_path / "config.yaml").write_text(config.replace("settle_seconds: 2", "settle_seconds: 0"), encoding="utf-8")
    return tmp_path
