"""Seed dump bytes -> `Dump`: pure functions, no I/O. See `../shared/docs/seed-format.md`.

The shape: site name, section, then records of a title line ending in `DD.MM.YYYY` followed by
one body line that may end in `Source : <url>`. The line right after a title line always belongs
to that record, even when it too ends in a date, so a body can never be mistaken for a title.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from urllib.parse import urlsplit

from charset_normalizer import from_bytes

from feeds.models import FILE_REJECTED, WARNING, Dump, Problem, Record
from feeds.prose import xml_safe

TITLE_LINE = re.compile(r"^(?P<title>.*?)\s*(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})$")
SOURCE_TAIL = re.compile(r"Source\s?:\s*(?P<url>\S+)$")
AGENCY_PATH = re.compile(r"/entities/(?P<agency>[A-Za-z0-9_-]+)(?:/|$)")
NEWS_ID_PATH = re.compile(r"/details/(?P<id>\d+)(?:/|$)")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
EARLIEST_YEAR = 1990
MAX_NEWS_ID_DIGITS = 15  # gov.kz ids have 7; longer ones are not ids, and would not fit SQLite


class NotText(ValueError):
    """The file's bytes are not text in any encoding we can recognise."""


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-16 or UTF-32 by their BOM, UTF-8 (BOM or not), then whatever
    charset-normalizer is sure of. Any other NUL byte means the file is not text."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise NotText(f"starts with a {codec.upper()} byte-order mark but is not {codec.upper()}") from None
    if b"\x00" in data:
        raise NotText("holds NUL bytes: not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data).best()
    if guess is None or guess.chaos > 0.2:
        raise NotText("not UTF-8 and no other text encoding fits: not a text file")
    return str(guess)


def parse_dump(text: str, file: str) -> Dump:
    """Split a dump into its header and records; bad records become `Problem`s, never exceptions."""
    lines = [xml_safe(line).strip() for line in LINE_BREAK.split(text)]
    numbered = [(number, line) for number, line in enumerate(lines, 1) if line]
    problems: list[Problem] = []
    header = [line for _, line in numbered[:2]]
    if len(header) < 2 or any(TITLE_LINE.match(line) for line in header):
        return Dump("", "", (), (Problem(file, 1, "no header: expected the site name and the section before the first record", FILE_REJECTED),))
    site, section = header
    records: list[Record] = []
    current: dict | None = None
    expecting_body = False
    position = 0

    def close() -> None:
        if current is not None and not current.get("rejected"):
            records.append(_record(current, file, problems))

    body_lines = numbered[2:]
    for index, (number, line) in enumerate(body_lines):
        title = TITLE_LINE.match(line)
        if title and expecting_body and current is not None:
            following = body_lines[index + 1][1] if index + 1 < len(body_lines) else None
            if following is not None and not TITLE_LINE.match(following):
                # Either a body ending in a date or a record without body nor source: the format
                # (and the line after a title being its body) says body; say so, in case it is not.
                problems.append(Problem(file, number, f"looks like a title but follows the title on line "
                                        f"{current['line']}, so it is read as that record's body", WARNING))
        if title and not expecting_body:
            close()
            current = {"line": number, "position": position, "title": title["title"], "body": [], "source": None}
            position += 1
            try:
                current["date"] = date(int(title["year"]), int(title["month"]), int(title["day"]))
                if current["date"].year < EARLIEST_YEAR:
                    raise ValueError(f"year before {EARLIEST_YEAR}")
            except ValueError as exc:
                problems.append(Problem(file, number, f"impossible date {title['day']}.{title['month']}.{title['year']} ({exc})"))
                current["rejected"] = True
            expecting_body = True
            continue
        expecting_body = False
        if current is None:
            problems.append(Problem(file, number, "text before the first record ignored", WARNING))
            continue
        source = SOURCE_TAIL.search(line)
        if source:
            current["source"] = (source["url"], number)
            line = line[: source.start()].strip()
        if line:
            current["body"].append(line)
    close()
    return Dump(site, section, tuple(records), tuple(problems))


def _unusable_source(raw: str) -> str | None:
    """Why a source URL cannot become a link, or None: only well-formed http and https URLs can."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError as exc:
        return f"malformed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme or 'none'!r}: only http and https become links"
    if not parts.hostname:
        return "no host"
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
            agency_match, id_match = AGENCY_PATH.search(path), NEWS_ID_PATH.search(path)
            agency = agency_match["agency"].lower() if agency_match else None
            news_id = int(id_match["id"]) if id_match and len(id_match["id"]) <= MAX_NEWS_ID_DIGITS else None
    return Record(
        title=" ".join(fields["title"].split()),
        published=fields["date"],
        body="\n".join(fields["body"]),
        source_url=url,
        agency=agency,
        news_id=news_id,
        file=file,
        line=fields["line"],
        position=fields["position"],
    )
