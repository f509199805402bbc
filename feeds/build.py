"""One publishing run, the library core under `feeds build`: seeds -> store -> feeds on disk.

Work is proportional to what changed: a seed file whose size and mtime (or, failing those, whose
SHA-256) match the store is not read again, and only feeds marked dirty by an ingest, rendered
with other settings, or missing on disk are rendered; a rendered feed whose bytes match the file
is not rewritten.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from feeds.catalogue import ATOM_SUFFIX, describe
from feeds.classify import to_article
from feeds.models import FILE_REJECTED, RECORD_SKIPPED, WARNING, Problem
from feeds.parse import NotText, decode, parse_dump
from feeds.render import GENERATOR_VERSION, render_atom
from feeds.settings import ConfigError, Settings
from feeds.store import SeedFile, Store
from feeds.write import remove_stale_temporaries, write_if_changed

SEED_PATTERN = "*.txt"
# A dump still being written or left by an editor is never read.
IGNORED_SUFFIXES = (".part", ".tmp", "~")


class OutputError(Exception):
    """The output folder cannot be written; nothing was published."""


@dataclass
class BuildReport:
    files_seen: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_rejected: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_merged: int = 0
    records_skipped: int = 0
    feeds_written: list[str] = field(default_factory=list)
    feeds_unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"files: {self.files_seen} seen, {self.files_read} read, {self.files_unchanged} unchanged, "
            f"{self.files_rejected} rejected; articles: {self.articles_new} new, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged, {self.articles_merged} merged as duplicates, "
            f"{self.records_skipped} records skipped; feeds: {len(self.feeds_written)} written, "
            f"{self.feeds_unchanged} unchanged"
        )


def seed_files(folder: Path) -> list[Path]:
    """Dump files in publishing order: oldest mtime first, so later content revises earlier."""
    found = [
        path for path in folder.glob(SEED_PATTERN)
        if not path.name.startswith(".") and not path.name.endswith(IGNORED_SUFFIXES) and path.is_file()
    ]
    return sorted(found, key=lambda path: (path.stat().st_mtime_ns, path.name))


def rendering_signature(settings: Settings) -> str:
    """Feeds rendered under other settings or another version are rendered again."""
    used = settings.model_dump_json(include={"site", "feeds"}) + GENERATOR_VERSION
    return hashlib.sha256(used.encode("utf-8")).hexdigest()[:16]


def ingest_seeds(store: Store, folder: Path, settings: Settings, report: BuildReport,
                 on_problem: Callable[[Problem], None]) -> None:
    for path in seed_files(folder):
        report.files_seen += 1
        stat = path.stat()
        known = store.seed_file(path.name)
        if known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            report.files_unchanged += 1
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if known and known.sha256 == digest:
            store.record_seed_file(SeedFile(path.name, stat.st_size, stat.st_mtime_ns, digest, known.problems))
            report.files_unchanged += 1
            continue
        report.files_read += 1
        problems: list[Problem] = []
        with store.transaction():
            try:
                dump = parse_dump(decode(data), path.name)
            except NotText as exc:
                problems.append(Problem(path.name, None, str(exc), FILE_REJECTED))
            else:
                problems.extend(dump.problems)
                if dump.section and not dump.records and not dump.problems:
                    problems.append(Problem(path.name, None, "no records found", WARNING))
                articles = [to_article(record, dump.section, settings.feeds) for record in dump.records]
                counts = store.ingest(articles, revised_at=stat.st_mtime_ns // 1000)
                report.articles_new += counts.new
                report.articles_updated += counts.updated
                report.articles_unchanged += counts.unchanged
                report.articles_merged += counts.merged
            store.record_seed_file(SeedFile(path.name, stat.st_size, stat.st_mtime_ns, digest, tuple(map(str, problems))))
        report.files_rejected += any(p.outcome == FILE_REJECTED for p in problems)
        report.records_skipped += sum(p.outcome == RECORD_SKIPPED for p in problems)
        for problem in problems:
            on_problem(problem)
        report.problems.extend(problems)


def publish_feeds(store: Store, settings: Settings, report: BuildReport) -> None:
    out = settings.paths.out
    signature = rendering_signature(settings)
    for feed in store.feeds():
        target = out / f"{feed.path}{ATOM_SUFFIX}"
        if not feed.dirty and feed.rendered_with == signature and target.exists():
            continue
        entries = store.entries(feed, settings.feeds.max_entries)
        data = render_atom(describe(feed, settings), entries, settings.site)
        try:
            written = write_if_changed(target, data)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        if written:
            report.feeds_written.append(feed.path)
        else:
            report.feeds_unchanged += 1
        store.feed_written(feed.path, signature, hashlib.sha256(data).hexdigest())


def check_output(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"the output folder {out} is not writable")


def build(settings: Settings, on_problem: Callable[[Problem], None] = lambda problem: None) -> BuildReport:
    """Ingest new and changed seed files, then render and write the feeds that changed."""
    if not settings.paths.seeds.is_dir():
        raise ConfigError(f"paths.seeds: {settings.paths.seeds} is not a folder")
    check_output(settings.paths.out)
    remove_stale_temporaries(settings.paths.out)
    report = BuildReport()
    store = Store(settings.paths.state)
    try:
        ingest_seeds(store, settings.paths.seeds, settings, report, on_problem)
        publish_feeds(store, settings, report)
    finally:
        store.close()
    return report
