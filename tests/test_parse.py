"""The parser on the real seeds and on every oddity `seed-format.md` lists."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from conftest import SEED_000, SEED_002, SEEDS, dump, examples
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.parse import MAX_BODY_CHARS, MAX_SECTION_CHARS, MAX_TITLE_CHARS, NotText, decode, parse_dump, source_tail, title_line
from feeds.prose import paragraphs, xml_safe

GOV = "https://www.gov.kz/memleket/entities/{}/press/news/details/{}?lang=kk"


def parse_seed(name: str):
    return parse_dump(decode((SEEDS / name).read_bytes()).text, name)


def test_both_seed_files_hold_forty_records_and_no_problems() -> None:
    dumps = [parse_seed(SEED_000), parse_seed(SEED_002)]
    assert [len(d.records) for d in dumps] == [20, 20]
    assert all(d.site == "Enbekshi QazaQ" and d.section == "World" and not d.problems for d in dumps)


def test_sample_records_have_exact_title_date_source_and_origin() -> None:
    first = parse_seed(SEED_000).records[0]
    assert first.title == "Inter-Religious Council of Kenya is interested in developing cooperation with Kazakhstan"
    assert first.published == date(2026, 2, 21)
    assert first.source_url == GOV.format("mfa-nairobi", 1166722)
    assert (first.agency, first.news_id, first.file, first.line, first.position) == ("mfa-nairobi", 1166722, SEED_000, 5, 0)
    assert first.body.endswith("Traditional Religions.")
    records = {r.line: r for r in parse_seed(SEED_002).records}
    assert records[29].title == (
        "Ambassador of Kazakhstan Holds a Seminar on Prospects for Cooperation between Astana and Islamabad"
    )
    assert records[29].source_url == GOV.format("mfa-islamabad", 1147280)
    assert records[43].published == date(2026, 1, 23) and records[43].source_url is None
    russian = {r.line: r for r in parse_seed(SEED_000).records}[29]
    assert russian.title.startswith("Международное рейтинговое агентство S&P") and "«BBB-»" in russian.title


@pytest.mark.parametrize("separator", ["", " ", "\u00a0", "\u00a0\u00a0"])
def test_source_glued_after_text_space_or_no_break_space(separator: str) -> None:
    url = GOV.format("mfa", 7)
    (record,) = parse_dump(dump(("Title 01.02.2026", f"Last sentence.{separator}Source : {url}")), "x.txt").records
    assert record.source_url == url
    assert record.body == "Last sentence."


def test_glued_source_after_cyrillic_word_in_seed() -> None:
    record = {r.line: r for r in parse_seed(SEED_000).records}[23]
    assert record.body.endswith("предприятий региона") and record.source_url == GOV.format("economy", 1166649)


def test_record_with_only_a_source_line_has_no_body() -> None:
    record = {r.line: r for r in parse_seed(SEED_000).records}[11]
    assert record.body == "" and record.source_url == GOV.format("mod", 1166705) and record.agency == "mod"


def test_record_without_source() -> None:
    record = {r.line: r for r in parse_seed(SEED_000).records}[13]
    assert record.source_url is None and record.agency is None and record.news_id is None
    assert record.title == "NEW CONSTITUTION: IMPROVING THE WELFARE OF THE PEOPLE"


def test_dash_title_is_kept_by_the_parser_for_the_classifier_to_replace() -> None:
    record = {r.line: r for r in parse_seed(SEED_002).records}[15]
    assert record.title == "-" and record.source_url == GOV.format("almobl", 1147348)


def test_bom_crlf_and_missing_final_newline() -> None:
    text = dump(("First 01.02.2026", "Body one."), ("Second 01.02.2026", "Body two.")).replace("\n", "\r\n")
    parsed = parse_dump(decode("\ufeff".encode() + text.encode("utf-8")).text, "x.txt")
    assert parsed.site == "Enbekshi QazaQ"
    assert [(r.title, r.body) for r in parsed.records] == [("First", "Body one."), ("Second", "Body two.")]
    with_newline = parse_dump(decode((text + "\r\n").encode()).text, "x.txt")
    assert with_newline.records == parsed.records


def test_body_line_ending_with_a_date_is_a_body_not_a_title() -> None:
    text = dump(("Meeting held 01.02.2026", "The next meeting is set for 15.03.2026"), ("Other 01.02.2026", "Text."))
    parsed = parse_dump(text, "x.txt")
    assert [r.title for r in parsed.records] == ["Meeting held", "Other"]
    assert parsed.records[0].body == "The next meeting is set for 15.03.2026"


def test_impossible_date_is_reported_and_the_rest_of_the_file_kept() -> None:
    text = dump(("Good one 01.02.2026", "Text."), ("Bad one 31.02.2026", "Text 01.01.2026"), ("Good two 01.02.2026", "Text."))
    parsed = parse_dump(text, "bad.txt")
    assert [r.title for r in parsed.records] == ["Good one", "Good two"]
    (problem,) = parsed.problems
    assert str(problem).startswith("bad.txt:7: record skipped: impossible date 31.02.2026")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://gov.kz/x"])
def test_only_http_and_https_sources_become_links(url: str) -> None:
    parsed = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt")
    (record,) = parsed.records
    assert record.source_url is None and record.body == "Body."
    (problem,) = parsed.problems
    assert problem.line == 6 and problem.outcome == "warning" and "dropped" in problem.reason


def test_glued_sentences_become_paragraphs_but_initials_stay_whole() -> None:
    body = "Deputy Minister Y.Ashikbayev met the envoy.The parties talked.Итоги подведены!Работа продолжится."
    assert paragraphs(body, "Title") == (
        "Deputy Minister Y.Ashikbayev met the envoy.", "The parties talked.", "Итоги подведены!", "Работа продолжится.",
    )


def test_body_repeating_its_title_loses_the_repeat() -> None:
    record = {r.line: r for r in parse_seed(SEED_002).records}[39]
    first = paragraphs(record.body, record.title)[0]
    assert first.startswith("On 22 January, an очередное apparatus meeting")


def test_control_characters_are_removed() -> None:
    parsed = parse_dump(dump(("Bell\x07 title 01.02.2026", "Null\x00 and escape\x1b gone.")), "x.txt")
    assert parsed.records[0].title == "Bell title" and parsed.records[0].body == "Null and escape gone."
    assert xml_safe("a\x0bb\ufffec\td") == "abc\td"
    # What HTML forbids as well: DEL, C1 controls and the non-characters of every plane.
    assert xml_safe("a\x7fb\x85c\x9bd\ufdd0e\U0001fffef\U0010ffff\u00a0g") == "abcdef\u00a0g"


def test_non_utf8_text_is_decoded_and_binary_is_refused() -> None:
    title, body = "Казахстан и Монголия нацелены на рост товарооборота 01.02.2026", "Стороны обсудили торговлю и инвестиции."
    cp1251 = dump((title, body)).encode("cp1251")
    assert parse_dump(decode(cp1251).text, "x.txt").records[0].title.startswith("Казахстан и Монголия")
    with pytest.raises(NotText):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_a_file_without_header_is_rejected_with_its_reason() -> None:
    parsed = parse_dump("Title 01.02.2026\nBody.", "x.txt")
    assert parsed.records == () and parsed.problems[0].outcome == "file rejected" and "no header" in parsed.problems[0].reason


@pytest.mark.parametrize(("url", "reason"), [
    ("http://[x/y", "malformed"), ("https://www.gov.kz:abc/x", "malformed"), ("https:///no-host", "no host"),
])
def test_malformed_source_urls_are_dropped_with_a_warning(url: str, reason: str) -> None:
    parsed = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt")
    assert parsed.records[0].source_url is None
    assert parsed.problems[0].outcome == "warning" and reason in parsed.problems[0].reason


def test_a_news_id_too_long_to_be_one_is_ignored() -> None:
    url = "https://www.gov.kz/memleket/entities/mfa/press/news/details/123456789012345678901234?lang=kk"
    (record,) = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt").records
    assert record.source_url == url and record.news_id is None and record.agency == "mfa"


def test_utf16_with_a_byte_order_mark_is_text() -> None:
    text = dump(("Қазақстан жаңалықтары 01.02.2026", "Мәтін."))
    assert parse_dump(decode(text.encode("utf-16")).text, "x.txt").records[0].title == "Қазақстан жаңалықтары"


def test_a_title_like_line_after_a_title_is_read_as_body_with_a_warning() -> None:
    parsed = parse_dump(dump(("No body, no source 01.02.2026", ""), ("Next record 01.02.2026", "Its body.")), "x.txt")
    (record,) = parsed.records
    assert record.title == "No body, no source" and record.body == "Next record 01.02.2026\nIts body."
    (problem,) = parsed.problems
    assert problem.line == 6 and problem.outcome == "warning" and "follows the title on line 5" in problem.reason


# The regular expressions the parser used until they were found to backtrack: kept here only as the
# reference the linear-time scanners must agree with, on inputs short enough for them.
FORMER_TITLE_LINE = re.compile(r"^(?P<title>.*?)\s*(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})$")
FORMER_SOURCE_TAIL = re.compile(r"Source\s?:\s*(?P<url>\S+)$")
PIECES = st.sampled_from(["Source", "Source:", ":", " ", "\u00a0", "\t", "x", "e", "1", "2", ".", "2026", "12.", "é"])


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(PIECES, max_size=10).map("".join))
def test_the_linear_scanners_agree_with_the_former_regular_expressions(line: str) -> None:
    former = FORMER_SOURCE_TAIL.search(line)
    assert source_tail(line) == ((former.start(), former["url"]) if former else None)
    former = FORMER_TITLE_LINE.match(line)
    found = title_line(line)
    assert (found and (found.title, found.day, found.month, found.year)) == (
        former and (former["title"], former["day"], former["month"], former["year"]))


@pytest.mark.parametrize("line", [
    " " * 200_000 + "x",
    "Source:" * 28_572 + " end",
    "Source : " * 22_223 + "x y",
    "1." * 100_000 + "x",
    "Title " + "\u00a0" * 200_000 + "01.02.2026x",
    "a." * 100_000,
])
def test_lines_of_200_000_characters_that_used_to_backtrack_parse_at_once(line: str) -> None:
    text = dump(("Title 01.02.2026", line), (line, ""), ("Last 01.02.2026", "Body."))
    started = time.perf_counter()
    parsed = parse_dump(text, "x.txt")
    paragraphs(parsed.records[0].body, parsed.records[0].title)
    assert time.perf_counter() - started < 2  # the former expressions took minutes on these
    assert parsed.records[-1].title == "Last"


def test_titles_bodies_and_sections_past_their_bounds_are_cut_with_a_warning() -> None:
    body = "A sentence of some length. " * 5_000
    parsed = parse_dump(dump(("Word " * 200 + "01.02.2026", body), section="Section " * 40), "x.txt")
    (record,) = parsed.records
    assert len(record.title) <= MAX_TITLE_CHARS and record.title.endswith("Word…")
    assert len(record.body) <= MAX_BODY_CHARS and record.body.endswith("of some length.")
    assert parsed.section.endswith("…") and len(parsed.section) <= MAX_SECTION_CHARS
    assert [p.reason.split(" of ")[0] for p in parsed.problems] == ["section name", "title", "body"]
    assert all(p.outcome == "warning" for p in parsed.problems)


def test_a_date_after_tomorrow_is_skipped_and_the_rest_kept() -> None:
    text = dump(("Far future 01.01.9999", "Body."), ("Tomorrow 26.11.2026", "Body."), ("Today 25.11.2026", "Body."))
    parsed = parse_dump(text, "x.txt", latest=date(2026, 11, 26))
    assert [r.title for r in parsed.records] == ["Tomorrow", "Today"]
    assert str(parsed.problems[0]) == "x.txt:5: record skipped: implausible date 01.01.9999: later than tomorrow (26.11.2026)"


def test_a_source_url_of_thousands_of_characters_is_dropped() -> None:
    (record,) = parse_dump(dump(("Title 01.02.2026", "Body.Source : https://gov.kz/" + "x" * 3000)), "x.txt").records
    assert record.source_url is None and record.body == "Body."


def test_a_utf8_dump_with_a_few_bad_bytes_stays_utf8_and_names_their_lines() -> None:
    text = dump(("Шымкентте тұрғын үй берілді 01.02.2026", "Жұмыс жалғасуда. " * 20), ("Last 01.02.2026", "Body."))
    decoded = decode(text.encode("utf-8") + b"\n\xd0")
    assert decoded.text.startswith("Enbekshi QazaQ") and decoded.replaced_lines == (9,)
    assert [r.title for r in parse_dump(decoded.text, "x.txt").records] == ["Шымкентте тұрғын үй берілді", "Last"]
    assert decode(text.encode("cp1251", "replace")).replaced_lines == ()  # another charset is still recognised


@pytest.mark.slow  # a load: 200,000 lines
def test_millions_of_stray_lines_are_one_warning() -> None:
    parsed = parse_dump("Site\n\nSection\n\n" + "x\n" * 200_000 + "Title 01.02.2026\nBody.", "x.txt")
    assert [str(p) for p in parsed.problems] == ["x.txt:5: warning: text before the first record ignored (lines 5-200004)"]
    assert [r.title for r in parsed.records] == ["Title"]


@pytest.mark.parametrize(("url", "reason"), [
    ('https://gov.kz/a"b<c>', "holds characters a URL cannot"), ("https://xn--/x", "malformed host"),
])
def test_sources_that_cannot_be_links_are_dropped(url: str, reason: str) -> None:
    parsed = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt")
    assert parsed.records[0].source_url is None and reason in parsed.problems[0].reason


LOOK_ALIKES = [
    "https://www.gov.kz.evil.com/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://www.gov.kz@evil.com/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://evil.com@www.gov.kz/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://www.gov.kz:evil@evil.com/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://www.gov.kz./memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://www.gov.kz:8443/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://www.g\u043ev.kz/memleket/entities/mfa/press/news/details/1?lang=kk",  # a Cyrillic о
    "https://www.xn--gv-fmc.kz/memleket/entities/mfa/press/news/details/1?lang=kk",  # the same, as punycode
    "https://www\uff0egov\uff0ekz/memleket/entities/mfa/press/news/details/1?lang=kk",  # full-width dots
    "https://wwwgov.kz/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://evilgov.kz/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://gov.kz.evil/memleket/entities/mfa/press/news/details/1?lang=kk",
    "https://mfa.gov.kz.evil.com/memleket/entities/mfa/press/news/details/1?lang=kk",
]


@pytest.mark.parametrize("url", LOOK_ALIKES)
def test_a_look_alike_host_is_no_gov_kz_source_and_names_no_agency(url: str) -> None:
    parsed = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt")
    (record,) = parsed.records
    assert record.source_url is None and record.agency is None and record.news_id is None
    assert parsed.problems[0].outcome == "warning" and "dropped" in parsed.problems[0].reason


@pytest.mark.parametrize("url", ["https://www.gov.kz/memleket/entities/mfa/press/news/details/1?lang=kk",
                                 "http://gov.kz/memleket/entities/mfa/press/news/details/1",
                                 "HTTPS://WWW.GOV.KZ/memleket/entities/mfa/press/news/details/1"])
def test_gov_kz_itself_is_a_source_with_its_agency(url: str) -> None:
    parsed = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt")
    assert parsed.problems == () and parsed.records[0].source_url == url and parsed.records[0].agency == "mfa"


def test_a_percent_encoded_agency_is_read() -> None:
    url = "https://www.gov.kz/memleket/entities/mf%61/press/news/details/5?lang=kk"
    (record,) = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt").records
    assert record.agency == "mfa" and record.source_url == url


def test_an_encoded_slash_in_the_agency_is_no_agency() -> None:
    url = "https://www.gov.kz/memleket/entities/a%2Fb/press/news/details/2000003?lang=kk"
    (record,) = parse_dump(dump(("Title 01.02.2026", f"Body.Source : {url}")), "x.txt").records
    assert record.agency is None and record.news_id == 2000003
