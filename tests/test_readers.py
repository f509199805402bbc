"""Two more real readers from Debian against `feeds serve`: rss2email (mail to a maildir; it keeps
each guid with a hash of the item, so it sees an item whose bytes changed) and sfeed
(`sfeed_update`; one tab-separated file per feed, merged by id). Each reads every entry once with
its title, link, author and date; after a build that changed nothing and after a dump that touches
other feeds, a second fetch finds nothing new and nothing changed."""

from __future__ import annotations

import email
import email.header
import email.utils
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from conftest import dump, new_project, run_feeds
from test_serve import Served, start_serving, stop_serving

pytestmark = pytest.mark.slow  # real feed readers over a real server
R2E = shutil.which("r2e")
SFEED_UPDATE = shutil.which("sfeed_update")
FEEDS = ("lang/ru.atom", "lang/en.rss")  # both formats a reader subscribes to
KAZAKH = ("Қостанай облысында жаңа мектеп ашылды 01.03.2026", "Облыс әкімдігінің хабарлауынша, мектеп қыркүйекте ашылады.")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The bundled seeds, built and served; each test changes them, so each has its own."""
    project = new_project(tmp_path / "project")
    server = start_serving(project)  # names the port in feeds.base_url first
    assert run_feeds("build", cwd=project).returncode == 0
    yield server
    stop_serving(server)


def published(served: Served) -> dict[str, list[feedparser.FeedParserDict]]:
    """Each subscribed feed's entries as published, by its URL."""
    return {url(served, feed): feedparser.parse(str(served.project / "out" / feed)).entries for feed in FEEDS}


def url(served: Served, feed: str) -> str:
    return f"http://127.0.0.1:{served.port}/{feed}"


def rebuild_twice(served: Served) -> None:
    """A build that changes nothing, then a dump that touches none of the subscribed feeds (a
    Kazakh article: `lang/kk`, `all`, its section)."""
    assert run_feeds("build", cwd=served.project).returncode == 0
    before = {feed: (served.project / "out" / feed).read_bytes() for feed in FEEDS}
    (served.project / "seeds/010_kazakh.txt").write_text(dump(KAZAKH))
    assert run_feeds("build", cwd=served.project).returncode == 0
    assert (served.project / "out/lang/kk.atom").exists()
    assert {feed: (served.project / "out" / feed).read_bytes() for feed in FEEDS} == before


def r2e(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([R2E or "r2e", "-c", str(home / "config"), "-d", str(home / "data.json"), *args],
                          env={"HOME": str(home), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}, capture_output=True,
                          text=True, timeout=120, check=False)


def mails(maildir: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(path.read_bytes()) for path in sorted((maildir / "new").iterdir())]


def decoded(value: str) -> str:
    return str(email.header.make_header(email.header.decode_header(value)))


def test_rss2email_mails_every_entry_once_and_nothing_after_a_no_op_build_or_an_unrelated_dump(
        served: Served, tmp_path: Path) -> None:
    if R2E is None:
        pytest.skip("rss2email is not installed (.ci/run installs Debian's rss2email)")
    home = tmp_path / "r2e"
    maildir = home / "Maildir/INBOX"
    for folder in ("cur", "new", "tmp"):
        (maildir / folder).mkdir(parents=True)
    assert r2e(home, "new", "reader@example.org").returncode == 0
    config = (home / "config").read_text()
    config = config.replace("email-protocol = sendmail", "email-protocol = maildir")
    config = config.replace("maildir-path = ~/Maildir", f"maildir-path = {home / 'Maildir'}")
    (home / "config").write_text(config.replace("date-header = False", "date-header = True"))
    for number, feed in enumerate(FEEDS):
        assert r2e(home, "add", f"feed{number}", url(served, feed)).returncode == 0
    assert r2e(home, "run").returncode == 0
    expected = {(feed, entry.id, entry.title, entry.link, entry.author, entry.published_parsed[:6])
                for feed, entries in published(served).items() for entry in entries}
    received = [(mail["X-RSS-Feed"], mail["X-RSS-ID"], decoded(mail["Subject"]), mail["X-RSS-URL"],
                 email.utils.parseaddr(decoded(mail["From"]))[0].rsplit(": ", 1)[-1],  # "{feed}: {author}"
                 email.utils.parsedate_to_datetime(mail["Date"]).utctimetuple()[:6]) for mail in mails(maildir)]
    assert len(received) == len(expected) == 4 + 35 and set(received) == expected  # each once, as published
    rebuild_twice(served)
    assert r2e(home, "run").returncode == 0
    assert len(mails(maildir)) == len(expected)  # nothing new, nothing changed


def sfeed_items(folder: Path) -> dict[str, list[list[str]]]:
    return {path.name: [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
            for path in sorted(folder.iterdir())}


def test_sfeed_stores_every_entry_once_and_nothing_after_a_no_op_build_or_an_unrelated_dump(
        served: Served, tmp_path: Path) -> None:
    if SFEED_UPDATE is None:
        pytest.skip("sfeed is not installed (.ci/run installs Debian's sfeed)")
    store = tmp_path / "sfeed"
    rc = tmp_path / "sfeedrc"
    rc.write_text(f'sfeedpath="{store}"\nfeeds() {{\n'
                  + "".join(f'\tfeed "feed{number}" "{url(served, feed)}"\n' for number, feed in enumerate(FEEDS)) + "}\n")

    def update() -> dict[str, list[list[str]]]:
        result = subprocess.run([SFEED_UPDATE or "sfeed_update", str(rc)], env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        return sfeed_items(store)

    first = update()
    for number, (feed, entries) in enumerate(published(served).items()):
        lines = first[f"feed{number}"]
        # sfeed's fields: timestamp, title, link, content, content-type, id, author, enclosure, category
        stored = {(line[5], line[1], line[2], line[6], int(line[0])) for line in lines}
        expected = {(entry.id, entry.title, entry.link, entry.author,
                     int(datetime.fromisoformat(entry.published).timestamp()) if "T" in entry.published
                     else int(email.utils.parsedate_to_datetime(entry.published).timestamp())) for entry in entries}
        assert len(lines) == len(entries) and stored == expected, feed
    rebuild_twice(served)
    assert update() == first  # no line added: nothing new, nothing changed
