"""Text shaped for feeds and pages: paragraphs, summaries, cuts, fallback titles, XML-safe text."""

from __future__ import annotations

from feeds import prose


def test_glued_sentences_become_paragraphs() -> None:
    assert prose.paragraphs("First sentence here.Second one there. Third.", "T") == ("First sentence here.", "Second one there. Third.")


def test_a_summary_ends_at_a_word_within_its_bound() -> None:
    summary = prose.summary(("A long first paragraph that goes on and on for a while.", "Second."), 40)
    assert summary == "A long first paragraph that goes on…" and len(summary) <= 40


def test_text_that_xml_cannot_hold_is_dropped() -> None:
    assert prose.xml_safe("a\x00b\x1bc\ufffe") == "abc"


def test_a_title_of_a_dash_is_replaced_by_the_text() -> None:
    assert prose.needs_title("-") and not prose.needs_title("Title")
    assert prose.fallback_title(("Its only text.",), "mfa", "01.02.2026") == "Its only text."


def test_a_body_is_cut_after_its_last_whole_sentence_or_at_a_word() -> None:
    assert prose.cut_at_sentence("One sentence. Two is longer. Three.", 30) == "One sentence. Two is longer."
    assert prose.cut_at_sentence("One. Two is longer. Three.", 12) == "One. Two…"  # no sentence ends late enough
