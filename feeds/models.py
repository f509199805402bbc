"""Plain data passed between the stages: dump records, classified articles, problems, feeds, entries.

Every other module may import this one; it imports none of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# The languages an article can be in and a page can speak, in the order pages list them: the one
# list every table of words, file names and identifiers follows (`tests/test_models.py` checks them).
LANGUAGES = ("en", "ru", "kk")

# The only hosts a source may name to be credited to an agency and called gov.kz: a source's whole
# netloc, nothing more (no user, port or trailing dot).
GOV_KZ_HOSTS = ("www.gov.kz", "gov.kz")

# What became of a bad thing. All but WARNING keep it out of the feeds until its input changes or
# the program is upgraded; every one is kept in the store and listed by `feeds status`.
RECORD_SKIPPED = "record skipped"
FILE_REJECTED = "file rejected"
ARTICLE_QUARANTINED = "article quarantined"  # stored, but left out of every feed
FEED_NOT_WRITTEN = "feed not written"  # left marked to write; the next run tries again
PAGE_NOT_WRITTEN = "page not written"  # an article page; its entry stays in its feeds, the next run tries again
SHARD_NOT_BUILT = "search shard not built"  # its last good bundle stays published; the next run tries again
WARNING = "warning"  # the record or file was kept, minus the part named
HELD_BACK = (RECORD_SKIPPED, FILE_REJECTED, ARTICLE_QUARANTINED, FEED_NOT_WRITTEN, PAGE_NOT_WRITTEN, SHARD_NOT_BUILT)


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file or record; reported as `file:line: reason`, never raised."""

    file: str
    line: int | None
    reason: str
    outcome: str = RECORD_SKIPPED
    count: int = 1  # more than one for a line that stands for many unlisted problems of one outcome

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.outcome}: {self.reason}"


@dataclass(frozen=True)
class Record:
    """One record of a dump as written there, after cleaning but before classification."""

    title: str
    published: date
    body: str
    source_url: str | None
    agency: str | None
    news_id: int | None
    file: str
    line: int
    position: int


@dataclass(frozen=True)
class Dump:
    """A parsed seed file: its header, the records that parsed, and what was wrong with the rest."""

    site: str
    section: str
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Article:
    """A record with its identity, language, category and ready-to-publish text."""

    id: str
    title: str
    published: date
    paragraphs: tuple[str, ...]
    summary: str
    source_url: str | None
    agency: str | None
    news_id: int | None
    language: str
    category: str
    category_label: str
    topics: tuple[str, ...]
    file: str
    line: int
    content_hash: str


@dataclass(frozen=True)
class Entry:
    """An article as a feed shows it: with the instants the store assigned to it."""

    id: str
    title: str
    published: datetime
    updated: datetime
    paragraphs: tuple[str, ...]
    summary: str
    source_url: str | None
    language: str
    category: str
    category_label: str
    topics: tuple[str, ...]
    agency: str | None = None  # the gov.kz body that issued it, when the dump gives a source


@dataclass(frozen=True)
class Fragments:
    """One entry as it stands inside every Atom, RSS and JSON Feed document that holds it,
    rendered once (`render.fragments`) and kept by the store: its brief form, without its text
    (`render.full` puts that in)."""

    atom: bytes
    rss: bytes
    json: str


@dataclass(frozen=True)
class Published:
    """An entry as documents are assembled from it: what their heads and embed pages show, and its
    fragments."""

    id: str
    title: str
    published: datetime
    updated: datetime
    source_url: str | None
    language: str
    fragments: Fragments
    paragraphs: tuple[str, ...] | None = None  # read only where a document shows the text (`render.with_text`)


@dataclass(frozen=True)
class SeedFile:
    """What the store remembers of a seed file: its fingerprint and what was wrong with it."""

    name: str
    size: int
    mtime_ns: int
    sha256: str  # empty when the file could not be read
    problems: tuple[Problem, ...]
    ctime_ns: int = 0
    version: str = ""


@dataclass(frozen=True)
class FeedKey:
    """A feed: its path under `out/` without suffix, its kind, the value it selects, and for
    category feeds the section's own name."""

    path: str
    kind: str
    value: str
    label: str = ""

    @property
    def language(self) -> str | None:
        """The one language of a language or category×language feed."""
        if self.kind == "lang":
            return self.value
        return self.value.rsplit("/", 1)[1] if self.kind == "category-lang" else None


@dataclass(frozen=True)
class FeedState:
    """A feed as the store knows it, with what its last render left behind."""

    key: FeedKey
    entry_count: int
    dirty: bool
    archived_before: int
    rendered_with: str
    latest_title: str
    latest_published: int

    @property
    def path(self) -> str:
        return self.key.path


@dataclass(frozen=True)
class SearchShard:
    """One shard of the search index: the pages of one language it holds, and its build."""

    name: str
    language: str
    level: int  # 0: new pages go here; level n+1: `search.MERGE_AFTER` full shards of level n merged
    pages: int
    sealed: bool  # full: takes no new page
    dirty: bool  # to be built
    builds: int  # how many times it was built (its folder's number)
    bundle: str  # its folder under out/pagefind/, "" before its first build
    newest: str = ""  # when its newest page was published, as of its last build (RFC 3339, +05:00)


MAX_PROBLEMS_LISTED = 50


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS_LISTED) -> list[Problem]:
    """The first `limit` problems of a file, then one line per outcome for the rest, so a file of
    a million bad records costs a few lines in the log and the store, not a million."""
    if len(problems) <= limit:
        return problems
    rest: dict[str, int] = {}
    for problem in problems[limit:]:
        rest[problem.outcome] = rest.get(problem.outcome, 0) + problem.count
    return problems[:limit] + [Problem(problems[0].file, None, f"{count:,} more like these, not listed", outcome, count)
                               for outcome, count in rest.items()]


@dataclass(frozen=True)
class FinishedRun:
    """A run as the store remembers it: when it ended, its summary, and why it failed (or None)."""

    finished_at: float
    summary: str
    error: str | None


@dataclass(frozen=True)
class QuarantinedArticle:
    id: str
    title: str | None
    reason: str
    since: float


@dataclass(frozen=True)
class Status:
    """What the store holds and what it holds back: what `feeds status` prints and the health
    verdict of `status --check` and `/healthz` is made from."""

    articles: int
    by_language: dict[str, int]
    by_category: dict[str, int]
    feeds: int
    seed_files: int
    version: str
    last_run: FinishedRun | None
    last_new_dump_at: float | None
    feeds_complete_at: float | None
    search_complete_at: float | None
    search_pages_due: bool
    files_with_problems: dict[str, list[str]]
    files_rejected: int
    records_skipped: int
    quarantined_articles: list[QuarantinedArticle]
    feeds_not_written: dict[str, str]
    pages_not_written: dict[str, str]
    search_shards_not_built: dict[str, str]
    # What a run did not finish, in words: the one under way (when the lock is held), or the last.
    run_in_progress: bool = False
    run_stage: str | None = None
    interrupted_stage: str | None = None


@dataclass
class StageReport:
    """What one stage of a run did, said the same way by every stage: files of `out/` written,
    found unchanged and removed, what it held back or warned of, and whether a stop cut it short."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stopped_early: bool = False

    def wrote(self, relative: str, changed: bool) -> None:
        if changed:
            self.written.append(relative)
        else:
            self.unchanged += 1

    def take(self, other: StageReport) -> None:
        """Another stage's files and problems added to these; a stop in it is a stop here."""
        self.written += other.written
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.problems += other.problems
        self.stopped_early = self.stopped_early or other.stopped_early
