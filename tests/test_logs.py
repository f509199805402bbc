"""Log lines: plain for people, one JSON object per line for collectors, a problem with its fields."""

from __future__ import annotations

import json
import logging

import pytest

from feeds import logs
from feeds.models import Problem


def test_a_problem_is_one_json_line_with_its_fields(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(0, "json")
    try:
        logs.log_problem(Problem("x.txt", 7, "impossible date 31.02.2026", "record skipped"))
        line = json.loads(capsys.readouterr().err.strip())
    finally:
        logs.configure(0, "text")
    assert (line["level"], line["file"], line["line"], line["outcome"]) == ("warning", "x.txt", 7, "record skipped")
    assert line["message"] == "x.txt:7: record skipped: impossible date 31.02.2026"


def test_quiet_shows_warnings_only_and_verbose_debug() -> None:
    logs.configure(-1, "text")
    assert logging.getLogger().level == logging.WARNING
    logs.configure(1, "text")
    assert logging.getLogger().level == logging.DEBUG
    logs.configure(0, "text")
    assert len([h for h in logging.getLogger().handlers if getattr(h, "feeds_cli", False)]) == 1
