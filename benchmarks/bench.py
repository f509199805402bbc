"""The benchmarks, in one command that writes `benchmarks/results.md` itself.

    .venv/bin/python benchmarks/bench.py                          # 10,000, 100,000 and 1,000,000 articles
    .venv/bin/python benchmarks/bench.py --sizes 10000 --repeat 3 # a quick look

For each size it generates a seed-shaped corpus (`corpus.py`: three languages, eight sections,
twelve agencies, realistic bodies, gov.kz ids over five years), then times the real `feeds build`
(a fresh process each time, so start-up counts) in every scenario of issue 11: the cold build of
the whole catalogue, the full re-render after a setting changes, one new dump of 20 articles, a run
with nothing new; and, once, the naive rebuild (every dump parsed and every document rendered again
with the project's own code, no store) that the ratios compare with. Then `feeds watch` latency
(a dump renamed into `seeds/` until its entry is in `out/all.atom`) and the parser's throughput.
Each figure: median, min and max of `--repeat` runs, peak resident memory of the largest process
(workers included), files written and the size of `out/`. With `--compare-with REV`, the cold
build at the smallest size also runs with the code of git revision REV (same interpreter and
packages), alternating with this tree's, and the stages are compared side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path

import corpus

from feeds.catalogue import Catalogue
from feeds.classify import to_article
from feeds.layout import archive_file, embed_file, feed_file
from feeds.models import Entry, Published
from feeds.pages import embed_page
from feeds.parse import decode, parse_dump
from feeds.render import Links, atom, fragments, json_feed, rss
from feeds.settings import load_settings
from feeds.timing import day_start, to_datetime

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results.md"
TARGETS = {
    ("cold build", 100_000): ("30 s", 30.0), ("cold build", 1_000_000): ("6 min", 360.0),
    ("re-render after a setting changed", 100_000): ("20 s", 20.0),
    ("one new dump of 20 articles", 100_000): ("0.5 s", 0.5), ("one new dump of 20 articles", 1_000_000): ("0.5 s", 0.5),
    ("no-op run", 100_000): ("0.3 s (5,000 dumps)", 0.3),
}
RSS_TARGETS = {100_000: 300, 1_000_000: 1024}  # MiB, cold build
STAGES = ("ingest", "retention", "fragments", "feeds", "site", "search", "sync")


@dataclass
class Figure:
    scenario: str
    size: int
    seconds: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    files: int = 0
    out_mb: float = 0.0
    stages: list[dict[str, float]] = field(default_factory=list)
    search_seconds: list[float] = field(default_factory=list)  # Pagefind's own time, overlap included

    def add(self, project: Path, code: Path | None = None) -> None:
        """One real `feeds build` in `project` (with the `feeds` package under `code`, if given),
        its figures added to this one's."""
        seconds, rss, run = timed(project, code)
        self.seconds.append(seconds)
        self.rss_mib.append(rss)
        self.files = run["outputs_written"]
        self.stages.append(run["stage_seconds"])
        self.search_seconds.append(run.get("search_seconds", 0.0))
        self.out_mb = du(project / "out")


def timed(project: Path, code: Path | None = None) -> tuple[float, float, dict]:
    """A real `feeds build` process: seconds, peak RSS of the largest process of its tree, and the
    figures of its JSON summary log line (files written, seconds per stage). `code`: a folder
    whose `feeds` package is imported instead of this tree's."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); d = time.perf_counter() - t; "
             "print(d, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.stderr, sep='\\t')")
    # As an installed program runs: with its bytecode cached (pip compiles it at install time).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    if code is not None:
        env["PYTHONPATH"] = str(code)  # ahead of the editable install's finder
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "feeds", "build", "--log-format", "json"],
                         cwd=project, capture_output=True, text=True, check=True, env=env).stdout
    seconds, rss, log = out.split("\t", 2)
    runs = [line["run"] for line in map(json.loads, filter(None, log.splitlines())) if "run" in line]
    return float(seconds), int(rss) / 1024, runs[-1]


def du(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def project_for(corpus_dir: Path, scratch: Path) -> Path:
    project = scratch / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    os.symlink(corpus_dir, project / "corpus")
    (project / "seeds").mkdir()
    for dump in sorted(corpus_dir.iterdir()):
        os.link(dump, project / "seeds" / dump.name)  # the same mtimes as the corpus, without copying it
    config = (ROOT / "config.yaml").read_text().replace("settle_seconds: 2", "settle_seconds: 0")
    (project / "config.yaml").write_text(config)
    return project


def measure(size: int, repeat: int, scratch: Path, figures: list[Figure], naive_limit: int) -> None:
    corpus_dir = scratch / f"corpus-{size}"
    if not corpus_dir.is_dir():
        print(f"generating {size:,} articles", flush=True)
        corpus.write_corpus(corpus_dir, size)
    extra = scratch / f"extra-{size}"
    shutil.rmtree(extra, ignore_errors=True)
    corpus.write_corpus(extra, 20, seed=99, first_file=900_000)
    cold, rerender, increment, idle = (Figure(name, size) for name in (
        "cold build", "re-render after a setting changed", "one new dump of 20 articles", "no-op run"))
    for attempt in range(repeat):
        project = project_for(corpus_dir, scratch)
        cold.add(project)
        idle.add(project)
        (project / "seeds" / next(extra.iterdir()).name).write_bytes(next(extra.iterdir()).read_bytes())
        increment.add(project)
        config = project / "config.yaml"
        config.write_text(config.read_text().replace("base_url: http://127.0.0.1:8080/", "base_url: http://127.0.0.1:8081/"))
        rerender.add(project)
        print(f"{size:,} run {attempt + 1}: cold {cold.seconds[-1]:.1f} s, idle {idle.seconds[-1]:.2f} s, "
              f"one dump {increment.seconds[-1]:.2f} s, re-render {rerender.seconds[-1]:.1f} s", flush=True)
    shutil.rmtree(scratch / "project", ignore_errors=True)
    figures.extend([cold, rerender, increment, idle])
    naive = Figure("naive rebuild (no store)", size)
    if size > naive_limit:
        # It holds every article in memory (that is what makes it naive): past this size, scaled
        # linearly from the largest size measured, and said so.
        measured = next(figure for figure in reversed(figures) if figure.scenario == naive.scenario)
        naive.seconds.append(statistics.median(measured.seconds) * size / measured.size)
        naive.scenario += f" (scaled from {measured.size:,})"
    else:
        started = time.perf_counter()
        naive.files = naive_rebuild(corpus_dir, scratch / "naive")
        naive.seconds.append(time.perf_counter() - started)
        naive.out_mb = du(scratch / "naive")
        shutil.rmtree(scratch / "naive")
    naive.rss_mib.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures.append(naive)


def compare(size: int, repeat: int, scratch: Path, revision: str) -> tuple[Figure, Figure]:
    """Cold builds of `size` articles with the code of `revision` and with this tree's, one after
    the other `repeat` times, so that both meet the same machine."""
    code = scratch / f"code-{revision}"
    shutil.rmtree(code, ignore_errors=True)
    code.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "feeds"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    before, after = Figure(f"cold build at {revision}", size), Figure("cold build, this tree", size)
    for attempt in range(repeat):
        for figure, source in ((before, code), (after, None)):
            figure.add(project_for(scratch / f"corpus-{size}", scratch), source)
        print(f"{size:,} side by side {attempt + 1}: {revision} {before.seconds[-1]:.1f} s, "
              f"this tree {after.seconds[-1]:.1f} s", flush=True)
    shutil.rmtree(scratch / "project", ignore_errors=True)
    return before, after


def comparison_rows(before: Figure, after: Figure) -> list[str]:
    """Median seconds per stage of both, and their ratio."""
    rows = [f"| stage | {before.scenario} | {after.scenario} | ratio |", "| --- | ---: | ---: | ---: |"]
    for stage in (*STAGES, "total"):
        pair = [statistics.median(figure.seconds) if stage == "total" else
                statistics.median(stages.get(stage, 0.0) for stages in figure.stages) for figure in (before, after)]
        ratio = f"{pair[1] / pair[0]:.2f}" if pair[0] > 0.005 else ""
        rows.append(f"| {stage} | {pair[0]:.2f} | {pair[1]:.2f} | {ratio} |")
    return rows


def naive_rebuild(corpus_dir: Path, out: Path) -> int:
    """Every dump parsed and classified, every document rendered and written, in this process, with
    the project's own functions and no store: what a run would cost without one."""
    settings = load_settings(ROOT / "config.yaml")
    catalogue = Catalogue.of(settings)
    members: dict[str, list[Published]] = defaultdict(list)
    keys = {}
    for number, path in enumerate(sorted(corpus_dir.iterdir())):
        dump = parse_dump(decode(path.read_bytes()).text, path.name, date(2100, 1, 1))
        for position, record in enumerate(dump.records):
            article = to_article(record, dump.section, settings.feeds, settings.topics)
            instant = to_datetime(day_start(article.published) + number * 1000 + position)
            entry = Entry(article.id, article.title, instant, instant, article.paragraphs, article.summary,
                          article.source_url, article.language, article.category, article.category_label, article.topics)
            published = Published(entry.id, entry.title, instant, instant, entry.source_url, entry.language,
                                  fragments(entry, catalogue.site))
            for key in catalogue.feed_keys(article.language, article.category, article.category_label, article.agency,
                                           article.topics):
                keys[key.path] = key
                members[key.path].append(published)
    written = 0
    size, limit = settings.feeds.archive_page_size, settings.feeds.max_entries
    for path, entries in members.items():
        entries.sort(key=lambda entry: entry.published)
        document = catalogue.describe(keys[path])
        head, archived = entries[-limit:][::-1], entries[:-limit]
        pages = [archived[start:start + size] for start in range(0, len(archived), size)]
        files = {}
        for number, page in enumerate(pages):
            links = Links(archive_file(path, number), document.archive_url(number),
                          document.archive_url(number - 1) if number else None,
                          document.archive_url(number + 1) if number + 1 < len(pages) else None, document.url("atom"))
            files[links.file] = atom(document, page[::-1], links)
        files[feed_file(path)] = atom(document, head, Links(feed_file(path), document.url("atom")))
        files[feed_file(path, "rss")] = rss(document, head, Links(feed_file(path, "rss"), document.url("rss")))
        files[feed_file(path, "json")] = json_feed(document, head)
        files[embed_file(path)] = embed_page(document, head)
        for relative, data in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
    return written


def latency(drops: int, scratch: Path) -> Figure:
    """`feeds watch` with the default settings on the bundled seeds: a dump written as `.part` and
    renamed into `seeds/` (as a careful producer does), until its title is in `out/all.atom`."""
    figure = Figure("watch: dump renamed into seeds/ -> entry in all.atom", 0)
    project = scratch / "latency"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(ROOT / "seeds", project / "seeds")
    shutil.copy(ROOT / "config.yaml", project / "config.yaml")
    process = subprocess.Popen([sys.executable, "-m", "feeds", "watch", "--interval", "3600", "-q"], cwd=project)
    feed = project / "out/all.atom"
    try:
        while not feed.exists():
            time.sleep(0.05)
        time.sleep(3)  # past the first run's settle period
        for drop in range(drops):
            title = f"Latency probe number {drop} from the benchmark"
            part = project / f"seeds/9{drop:03d}_probe.txt.part"
            part.write_text(f"Enbekshi QazaQ\n\nWorld\n\n{title} 01.03.2026\nA short body for probe {drop}.")
            started = time.monotonic()
            os.replace(part, part.with_suffix(""))
            while title not in feed.read_text(encoding="utf-8"):
                time.sleep(0.005)
            figure.seconds.append(time.monotonic() - started)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return figure


def parser_throughput(corpus_dir: Path) -> float:
    """MB of dump text decoded and parsed per second, in this process."""
    files = sorted(corpus_dir.iterdir())[:2000]
    data = [path.read_bytes() for path in files]
    started = time.perf_counter()
    for raw, path in zip(data, files, strict=True):
        parse_dump(decode(raw).text, path.name)
    return sum(map(len, data)) / 1e6 / (time.perf_counter() - started)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({model}), {memory} GiB, {platform.platform()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, lxml {version('lxml')}; {date.today():%d.%m.%Y}")


def write_results(figures: list[Figure], watch: Figure, throughput: float, args: argparse.Namespace,
                  compared: tuple[Figure, Figure] | None) -> None:
    naive = {figure.size: statistics.median(figure.seconds) for figure in figures if figure.scenario.startswith("naive")}
    figures = sorted(figures, key=lambda figure: (figure.size, figure.scenario.startswith("naive")))
    rows = ["| scenario | articles | median | min | max | peak RSS | files written | out/ after | target | verdict | vs naive rebuild |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |"]
    stage_rows = ["| scenario | articles | " + " | ".join(STAGES) + " | total |", "| --- | ---: |" + " ---: |" * (len(STAGES) + 1)]
    unmet = []
    for figure in figures:
        median = statistics.median(figure.seconds)
        goal, limit = TARGETS.get((figure.scenario, figure.size), ("", None))
        verdicts = [] if limit is None else ["time met" if median <= limit else "time **not met**"]
        rss_goal = RSS_TARGETS.get(figure.size) if figure.scenario == "cold build" else None
        if rss_goal:
            goal += f", RSS {rss_goal} MiB"
            verdicts.append("RSS met" if max(figure.rss_mib) <= rss_goal else "RSS **not met**")
        unmet += [f"{figure.scenario} at {figure.size:,} ({verdict.split()[0]})" for verdict in verdicts if "not" in verdict]
        ratio = "" if figure.scenario.startswith("naive") else f"{median / naive[figure.size]:.3f}"
        rows.append(f"| {figure.scenario} | {figure.size:,} | {median:.2f} s | {min(figure.seconds):.2f} s | "
                    f"{max(figure.seconds):.2f} s | {max(figure.rss_mib):.0f} MiB | {figure.files:,} | "
                    f"{figure.out_mb:,.0f} MB | {goal} | {', '.join(verdicts)} | {ratio} |")
        if figure.stages:
            medians = [statistics.median(stages.get(stage, 0.0) for stages in figure.stages) for stage in STAGES]
            stage_rows.append(f"| {figure.scenario} | {figure.size:,} | " + " | ".join(f"{m:.2f}" for m in medians)
                              + f" | {median:.2f} |")
    search_rows = []
    for figure in figures:
        searched = figure.search_seconds
        if figure.scenario == "cold build" and searched:
            search_rows.append(f"| search index (Pagefind), cold, {figure.size:,} articles | median {statistics.median(searched):.2f} s "
                               f"(min {min(searched):.2f}, max {max(searched):.2f}) | |")
        elif figure.scenario == "one new dump of 20 articles" and searched:
            median = statistics.median(searched)
            search_rows.append(f"| search index update after one new dump, {figure.size:,} articles | median {median:.2f} s "
                               f"(min {min(searched):.2f}, max {max(searched):.2f}) | 0.5 s{' met' if median <= 0.5 else ' **not met**'} |")
            unmet += [] if median <= 0.5 else [f"search index update at {figure.size:,}"]
    side_by_side = "" if compared is None else f"""
Side by side: the cold build of {compared[0].size:,} articles with the code of `{args.compare_with}`
and with this tree's, alternating, {args.repeat} run(s) each (median seconds per stage):

{chr(10).join(comparison_rows(*compared))}
"""
    latency_median = statistics.median(watch.seconds)
    unmet += [] if latency_median <= 0.5 else ["watch latency"]
    unmet += [] if throughput >= 30 else ["parser throughput"]
    text = f"""# Benchmark results

Written by `.venv/bin/python benchmarks/bench.py {' '.join(sys.argv[1:])}`; do not edit by hand.

Machine: {machine()}.

Each scenario runs the real `feeds build` in a fresh process (start-up included) {args.repeat} time(s)
on a fresh copy of the corpus; "peak RSS" is the largest process of the run (the main one, a
worker or a Pagefind process). Corpora: `benchmarks/corpus.py`, 20 records per dump (so 100,000 articles are 5,000
dumps). "re-render" changes `feeds.base_url`, which re-renders every entry and every document.
"vs naive rebuild" is the median divided by the time of parsing every dump and rendering every
document again without a store (`naive_rebuild`), measured once per size.

{chr(10).join(rows)}

Where the time goes: median seconds per stage, from each run's own JSON summary (`stage_seconds`);
"total" is the whole process, start-up and imports included. `ingest` reads, parses, classifies
and stores the dumps; `fragments` renders each new or changed entry once per format; `feeds`
writes the feeds' documents and archive pages; `site` the index pages, OPML and assets; `search`
is the wait for the search index once the feeds are written (Pagefind runs while they are
written; its own time, from the launch to the end of its last build, is in the search rows
below); `sync` flushes `out/` to disk.

{chr(10).join(stage_rows)}

{side_by_side}
Targets not met: {'; '.join(unmet) if unmet else 'none'}. Why, from the profiles: `benchmarks/README.md`.

| other | figure | target |
| --- | ---: | --- |
| `feeds watch`, default settings: dump renamed into `seeds/` -> entry in `out/all.atom` | median {latency_median:.2f} s (min {min(watch.seconds):.2f}, max {max(watch.seconds):.2f}, {len(watch.seconds)} drops) | 0.5 s{' met' if latency_median <= 0.5 else ' **not met**'} |
| parser (decode + parse) on seed-format text | {throughput:.1f} MB/s | 30 MB/s{' met' if throughput >= 30 else ' **not met**'} |
{chr(10).join(search_rows)}
"""
    RESULTS.write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="articles per corpus, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (1,000,000: at most 1)")
    parser.add_argument("--drops", type=int, default=10, help="dumps dropped for the latency figure")
    parser.add_argument("--naive-up-to", type=int, default=100_000, help="largest size the naive rebuild runs at")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "enbekshi-bench")
    parser.add_argument("--compare-with", metavar="REV", help="git revision whose cold build at the smallest size "
                        "runs side by side with this tree's")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    sizes = [int(size) for size in args.sizes.split(",")]
    for size in sizes:
        measure(size, args.repeat if size < 1_000_000 else 1, args.scratch, figures, args.naive_up_to)
    compared = None if args.compare_with is None else compare(min(sizes), args.repeat, args.scratch, args.compare_with)
    watch = latency(args.drops, args.scratch)
    throughput = parser_throughput(args.scratch / f"corpus-{sizes[0]}")
    write_results(figures, watch, throughput, args, compared)


if __name__ == "__main__":
    main()
