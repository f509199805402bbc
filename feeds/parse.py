"""Seed dump bytes -> `Dump`: pure functions, no I/O. See `../shared/docs/seed-format.md`.

The shape: site name, section, then records of a title line ending in `DD.MM.YYYY` followed by
one body line that may end in `Source : <url>`. The line right after a title line always belongs
to that record, even when it too ends in a date, so a body can never be mistaken for a title.

Every step is linear in the length of its input: the date is looked for in a line's last ten
characters only and the source by scanning the line's last word, so no line, however long or
strange, can make parsing slow (scraped text is hostile input).
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urlsplit

from feeds.models import FILE_REJECTED, GOV_KZ_HOSTS, WARNING, Dump, Problem, Record
from feeds.prose import cut_at_sentence, shorten, xml_safe

# A title line ends in a date of at most 10 characters: only the line's tail is searched.
DATE_TAIL = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\Z")
DATE_TAIL_CHARS = 10
SOURCE_WORD = "Source"
AGENCY_NAME = re.compile(r"[A-Za-z0-9_-]+")
NEWS_ID_PATH = re.compile(r"/details/(?P<id>\d+)(?:/|$)")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
LINE_TEXT = re.compile(r"[^\r\n]+")
EARLIEST_YEAR = 1990
MAX_NEWS_ID_DIGITS = 15  # gov.kz ids have 7; longer ones are not ids, and would not fit SQLite
# Documented bounds (README, "When things go wrong"): longer text is cut, with a warning.
MAX_TITLE_CHARS = 500  # the longest seed title has 250
MAX_SECTION_CHARS = 200
MAX_BODY_CHARS = 100_000  # the longest seed body has 11,000
MAX_URL_CHARS = 2_000  # gov.kz sources have about 80
REPLACEMENT = "\ufffd"
# ASCII that RFC 3986 allows nowhere in a URL: a source holding any is not made a link.
URL_FORBIDDEN = frozenset('"<>\\^`{|}')
# Valid multi-byte characters per bad byte for a file to be read as UTF-8 with its bad bytes replaced.
UTF8_EVIDENCE = 10


class NotText(ValueError):
    """The file's bytes are not text in any encoding we can recognise."""


@dataclass(frozen=True)
class Decoded:
    """A dump's text, and the lines where bytes that were not UTF-8 were replaced by U+FFFD."""

    text: str
    replaced_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class TitleLine:
    title: str
    day: str
    month: str
    year: str


def decode(data: bytes) -> Decoded:
    """Bytes -> text: UTF-16 or UTF-32 by their BOM, UTF-8 (BOM or not), then whatever
    charset-normalizer is sure of. Any other NUL byte means the file is not text. A UTF-8 file
    with a few bad bytes (a dump cut short, one corrupt character) stays UTF-8: the bad bytes become
    U+FFFD and their lines are named, instead of the whole file being read as another charset."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec))
            except UnicodeDecodeError:
                raise NotText(f"starts with a {codec.upper()} byte-order mark but is not {codec.upper()}") from None
    if b"\x00" in data:
        raise NotText("holds NUL bytes: not a text file")
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8-sig", "replace")
    bad = replaced.count(REPLACEMENT)
    if sum(1 for char in replaced if char > "\x7f") - bad >= UTF8_EVIDENCE * bad:
        lines = tuple(number for number, line in enumerate(LINE_BREAK.split(replaced), 1) if REPLACEMENT in line)
        return Decoded(replaced, lines)
    from charset_normalizer import from_bytes  # only for the rare file that is not UTF-8

    guess = from_bytes(data).best()
    if guess is None or guess.chaos > 0.2:
        raise NotText("not UTF-8 and no other text encoding fits: not a text file")
    return Decoded(str(guess))


def title_line(line: str) -> TitleLine | None:
    """`<title> DD.MM.YYYY`, split; None for any other line. Looks at the last 10 characters only."""
    match = DATE_TAIL.search(line, max(0, len(line) - DATE_TAIL_CHARS))
    if match is None:
        return None
    return TitleLine(line[: match.start()].rstrip(), match["day"], match["month"], match["year"])


def source_tail(line: str) -> tuple[int, str] | None:
    """Where a trailing `Source : <url>` starts and its URL, or None. The same answer as searching
    `Source\\s?:\\s*(\\S+)$`, but found from the line's last word in linear time: the URL runs to the
    end of the line without spaces, so `Source` sits just before that word's whitespace or inside it."""
    word = len(line)
    while word and not line[word - 1].isspace():
        word -= 1
    if word == len(line):
        return None
    gap = word
    while gap and line[gap - 1].isspace():
        gap -= 1
    mark = len(SOURCE_WORD)
    if 0 < gap < word and line[gap - 1] == ":":
        # `Source : <url>` or `Source: <url>`: the colon right before the spaces, the URL the last word.
        colon = gap - 1
        if line.startswith(SOURCE_WORD, colon - mark) and colon >= mark:
            return colon - mark, line[word:]
        if colon > mark and line[colon - 1].isspace() and line.startswith(SOURCE_WORD, colon - mark - 1):
            return colon - mark - 1, line[word:]
    if (word - gap == 1 and line[word] == ":" and word + 1 < len(line) and gap >= mark
            and line.startswith(SOURCE_WORD, gap - mark)):
        # `Source :<url>`: one space before the colon, the URL glued to it.
        return gap - mark, line[word + 1:]
    glued = line.find(SOURCE_WORD + ":", word)
    if glued != -1 and glued + mark + 1 < len(line):
        # `Source:<url>` inside the last word.
        return glued, line[glued + mark + 1:]
    return None


def _agency(path: str) -> str | None:
    """The segment after `/entities/` of a gov.kz path, decoded, when it is an agency slug: split
    before decoding, so an encoded `/` (`a%2Fb`) cannot pass for the end of the name."""
    segments = path.split("/")
    if "entities" not in segments[:-1]:
        return None
    name = unquote(segments[segments.index("entities") + 1])
    return name.lower() if AGENCY_NAME.fullmatch(name) else None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(number, cleaned text) of every line that is not blank, one at a time: a dump of millions
    of short lines is never held as millions of strings at once, and blank lines cost nothing."""
    number, counted = 1, 0
    carriage_returns = "\r" in text
    for match in LINE_TEXT.finditer(text):
        line = xml_safe(match.group()).strip()
        if line:
            start = match.start()
            # Line breaks are \r\n, \r or \n: count them between the last line yielded and this one.
            number += text.count("\n", counted, start)
            if carriage_returns:
                number += text.count("\r", counted, start) - text.count("\r\n", counted, start)
            counted = start
            yield number, line


def parse_dump(text: str, file: str, latest: date | None = None) -> Dump:
    """Split a dump into its header and records; bad records become `Problem`s, never exceptions.
    A record dated after `latest` (the day after it is read) cannot be news yet: skipped."""
    lines = _lines(text)
    header = list(itertools.islice(lines, 2))
    if len(header) < 2 or any(title_line(line) for _, line in header):
        return Dump("", "", (), (Problem(file, 1, "no header: expected the site name and the section before the first record", FILE_REJECTED),))
    (_, site), (section_line, section) = header
    problems: list[Problem] = []
    if len(section) > MAX_SECTION_CHARS:
        problems.append(Problem(file, section_line, f"section name of {len(section):,} characters cut to {MAX_SECTION_CHARS}", WARNING))
        section = shorten(section, MAX_SECTION_CHARS)
    records: list[Record] = []
    current: dict | None = None
    expecting_body = False
    position = 0
    stray: tuple[int, int] | None = None  # the lines of text before the first record, reported once

    def close() -> None:
        if current is not None and not current.get("rejected"):
            records.append(_record(current, file, problems))

    for (number, line), (_, following) in itertools.pairwise(itertools.chain(lines, [(0, "")])):
        title = title_line(line)
        if title and expecting_body and current is not None and following and not title_line(following):
            # Either a body ending in a date or a record without body nor source: the format
            # (and the line after a title being its body) says body; say so, in case it is not.
            problems.append(Problem(file, number, f"looks like a title but follows the title on line "
                                    f"{current['line']}, so it is read as that record's body", WARNING))
        if title and not expecting_body:
            close()
            current = {"line": number, "position": position, "title": title.title, "body": [], "source": None}
            position += 1
            reason = _implausible_date(title, latest)
            if reason:
                problems.append(Problem(file, number, reason))
                current["rejected"] = True
            else:
                current["date"] = date(int(title.year), int(title.month), int(title.day))
            expecting_body = True
            continue
        expecting_body = False
        if current is None:
            stray = (stray[0] if stray else number, number)
            continue
        source = source_tail(line)
        if source:
            start, url = source
            current["source"] = (url, number)
            line = line[:start].strip()
        if line:
            current["body"].append(line)
    close()
    if stray:
        where = f" (lines {stray[0]}-{stray[1]})" if stray[1] > stray[0] else ""
        problems.insert(0, Problem(file, stray[0], f"text before the first record ignored{where}", WARNING))
    return Dump(site, section, tuple(records), tuple(problems))


def _implausible_date(title: TitleLine, latest: date | None) -> str | None:
    """Why a record's date cannot be its publication date, or None."""
    written = f"{title.day}.{title.month}.{title.year}"
    try:
        day = date(int(title.year), int(title.month), int(title.day))
    except ValueError as exc:
        return f"impossible date {written} ({exc})"
    if day.year < EARLIEST_YEAR:
        return f"impossible date {written} (year before {EARLIEST_YEAR})"
    if latest is not None and day > latest:
        return f"implausible date {written}: later than tomorrow ({latest:%d.%m.%Y})"
    return None


def _unusable_source(raw: str) -> str | None:
    """Why a source URL cannot become a link, or None: only well-formed http and https URLs of
    gov.kz itself can."""
    if len(raw) > MAX_URL_CHARS:
        return f"longer than {MAX_URL_CHARS:,} characters"
    if not URL_FORBIDDEN.isdisjoint(raw):
        return f"holds characters a URL cannot ({''.join(sorted(URL_FORBIDDEN.intersection(raw)))})"
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError as exc:
        return f"malformed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme or 'none'!r}: only http and https become links"
    if not parts.hostname:
        return "no host"
    try:
        parts.hostname.encode("idna").decode("idna")
    except UnicodeError:
        return f"malformed host {parts.hostname!r}"
    if parts.netloc.lower() not in GOV_KZ_HOSTS:
        # Credit and the words "on gov.kz" come with the source: a look-alike (`www.gov.kz.evil.com`,
        # `gov.kz@evil.com`, `www.gov.kz.`, a port, a Cyrillic `о`, punycode) is not gov.kz.
        return f"not a gov.kz address (host {parts.netloc!r}): only gov.kz releases are credited and linked"
    return None


def _record(fields: dict, file: str, problems: list[Problem]) -> Record:
    url, agency, news_id = None, None, None
    if fields["source"]:
        raw, number = fields["source"]
        reason = _unusable_source(raw)
        if reason:
            problems.append(Problem(file, number, f"source URL {raw[:80]!r} dropped: {reason}", WARNING))
        else:
            url = raw
            path = urlsplit(raw).path
            agency, id_match = _agency(path), NEWS_ID_PATH.search(unquote(path))
            news_id = int(id_match["id"]) if id_match and len(id_match["id"]) <= MAX_NEWS_ID_DIGITS else None
    title = " ".join(fields["title"].split())
    if len(title) > MAX_TITLE_CHARS:
        problems.append(Problem(file, fields["line"], f"title of {len(title):,} characters cut to {MAX_TITLE_CHARS}", WARNING))
        title = shorten(title, MAX_TITLE_CHARS)
    body = "\n".join(fields["body"])
    if len(body) > MAX_BODY_CHARS:
        cut = cut_at_sentence(body, MAX_BODY_CHARS)
        problems.append(Problem(file, fields["line"] + 1, f"body of {len(body):,} characters cut to {len(cut):,} "
                                f"at a sentence end (at most {MAX_BODY_CHARS:,})", WARNING))
        body = cut
    return Record(
        title=title,
        published=fields["date"],
        body=body,
        source_url=url,
        agency=agency,
        news_id=news_id,
        file=file,
        line=fields["line"],
        position=fields["position"],
    )
