"""The benchmarks, in one command that writes `benchmarks/results.md` itself.

    .venv/bin/python benchmarks/bench.py                          # 10,000, 100,000 and 1,000,000 articles
    .venv/bin/python benchmarks/bench.py --sizes 10000 --repeat 3 # a quick look

For each size it generates a seed-shaped corpus (`corpus.py`: three languages, eight sections,
twelve agencies, realistic bodies, gov.kz ids over five years), then times the real `feeds build`
(a fresh process each time, so start-up counts) in every scenario of issue 20: the cold build
(until the feeds are visible, and until the search index is complete), a run with nothing new, one
new dump of 20 articles, the re-render after a wording change and after a `base_url` change; the
bytes of `out/` and of the store per article; `feeds watch` latency on the built project; the first
search query in headless Chromium; and, once, the naive rebuild (every dump parsed and every
document rendered again with the project's own code, no store) that the ratios compare with. Each
figure: median, min and max of `--repeat` runs, CPU seconds of the process tree, the load average,
peak memory of the Python processes and of Pagefind apart, files written and the size of `out/`.
With `--compare-with REV`, the cold build at the smallest size also runs with the code of git
revision REV (same interpreter and packages), alternating with this tree's, and the stages are
compared side by side.
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
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

import corpus

from feeds.catalogue import Catalogue
from feeds.classify import to_article
from feeds.layout import archive_file, embed_file, feed_file
from feeds.models import Entry, Published
from feeds.pages import embed_page
from feeds.parse import decode, parse_dump
from feeds.render import Links, atom, fragments, json_feed, rss, with_text
from feeds.settings import load_settings
from feeds.timing import day_start, to_datetime

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results.md"
BASE_URL_UP_TO = 1_000_000  # a base_url change renders everything again, a cold build's work: not run past this
SAMPLE_SECONDS = 0.2  # between two reads of the run's processes' memory high-water marks
STAGES = ("ingest", "retention", "render", "feeds", "site", "sync", "search")


@dataclass
class Figure:
    scenario: str
    size: int
    seconds: list[float] = field(default_factory=list)
    python_mib: list[float] = field(default_factory=list)  # the largest Python process of the run
    pagefind_mib: list[float] = field(default_factory=list)  # the largest Pagefind process
    cpu_seconds: list[float] = field(default_factory=list)  # the run's process tree, user + system
    load: list[float] = field(default_factory=list)  # one-minute load average as the run began
    files: int = 0
    out_mb: float = 0.0
    stages: list[dict[str, float]] = field(default_factory=list)
    feeds_seconds: list[float] = field(default_factory=list)  # process start -> feeds out and flushed
    search_after: list[float] = field(default_factory=list)  # feeds out -> search index complete

    def add(self, project: Path, code: Path | None = None) -> None:
        """One real `feeds build` in `project` (with the `feeds` package under `code`, if given),
        its figures added to this one's."""
        run = timed(project, code)
        self.seconds.append(run.seconds)
        self.python_mib.append(run.python_mib)
        self.pagefind_mib.append(run.pagefind_mib)
        self.cpu_seconds.append(run.cpu_seconds)
        self.load.append(run.load)
        self.files = run.summary["outputs_written"]
        self.stages.append(run.summary["stage_seconds"])
        # The summary's clock starts once the program is loaded: start-up counts towards the feeds.
        after_feeds = run.summary["duration_seconds"] - run.summary.get("feeds_seconds", run.summary["duration_seconds"])
        self.feeds_seconds.append(run.seconds - after_feeds)
        self.search_after.append(after_feeds)
        self.out_mb = du(project / "out")

    def median(self, values: list[float] | None = None) -> float:
        return statistics.median(self.seconds if values is None else values)


@dataclass
class Run:
    seconds: float
    python_mib: float
    pagefind_mib: float
    cpu_seconds: float
    load: float
    summary: dict[str, Any]


def timed(project: Path, code: Path | None = None) -> Run:
    """A real `feeds build` process: wall seconds, the peak memory of its Python processes and of
    its Pagefind processes (each process's high-water mark, read from /proc while it runs), the CPU
    seconds of its whole tree, and the figures of its JSON summary log line. `code`: a folder whose
    `feeds` package is imported instead of this tree's."""
    # As an installed program runs: with its bytecode cached (pip compiles it at install time).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    if code is not None:
        env["PYTHONPATH"] = str(code)  # ahead of the editable install's finder
    load = os.getloadavg()[0]
    reap()  # Chromium's processes, say: their time is not this run's
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "feeds", "build", "--log-format", "json"], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=log, env=env)
        ended: list[float] = []
        # The end is taken by a thread blocked in wait(), exactly; this one samples memory meanwhile.
        waiter = threading.Thread(target=lambda: (process.wait(), ended.append(time.perf_counter())))
        waiter.start()
        peaks: dict[int, tuple[str, float]] = {}
        while waiter.is_alive():
            sample_peaks(process.pid, peaks)
            waiter.join(SAMPLE_SECONDS)
        seconds = ended[0] - started
        reap()  # what the run left behind, reparented here (`become_subreaper`)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        if process.returncode != 0:
            log.seek(0)
            raise SystemExit(f"feeds build failed in {project} ({process.returncode}): {log.read()[-2000:]}")
        log.seek(0)
        runs = [line["run"] for line in map(json.loads, filter(None, log.read().splitlines())) if "run" in line]
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    python = max((mib for name, mib in peaks.values() if name != "pagefind"), default=0.0)
    pagefind = max((mib for name, mib in peaks.values() if name == "pagefind"), default=0.0)
    return Run(seconds, python, pagefind, cpu, load, runs[-1])


def sample_peaks(root: int, peaks: dict[int, tuple[str, float]]) -> None:
    """Each process under `root` (itself included): its name and high-water mark of resident
    memory (`VmHWM`) in MiB, kept at the largest seen."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[parent].append(int(entry.name))
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if "VmHWM" in status:
            mib = int(status["VmHWM"].split()[0]) / 1024
            name = status["Name"].strip()
            peaks[pid] = (name, max(mib, peaks.get(pid, (name, 0.0))[1]))


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


WORDING = "interface:\n  home: {en: \"{site}: every feed (benchmark)\", ru: \"{site}: все ленты\", kk: \"{site}: барлық таспалар\"}\n"
SCENARIOS = ("cold build", "no-op run", "one new dump of 20 articles", "re-render after a wording change",
             "re-render after a base_url change")


def measure(size: int, repeat: int, scratch: Path, figures: list[Figure], extras: dict[int, dict[str, object]],
            naive_limit: int, drops: int, report: Callable[[], None]) -> None:
    """Every scenario at one size, `report` called after each run (so that a long run stopped
    half way leaves the figures it has, the rest "not run")."""
    corpus_dir = scratch / f"corpus-{size}"
    if not corpus_dir.is_dir():
        print(f"generating {size:,} articles", flush=True)
        corpus.write_corpus(corpus_dir, size)
    extra = scratch / f"extra-{size}"
    shutil.rmtree(extra, ignore_errors=True)
    corpus.write_corpus(extra, 20, seed=99, first_file=900_000)
    cold, idle, increment, wording, moved = (Figure(name, size) for name in SCENARIOS)
    found: dict[str, object] = {}
    extras[size] = found
    for attempt in range(repeat):
        project = project_for(corpus_dir, scratch)
        cold.add(project)
        _listed(figures, cold)
        report()
        found["out bytes per article"] = du(project / "out") * 1e6 / size
        found["store bytes per article"] = (project / "state/feeds.sqlite3").stat().st_size / size
        found["out files"] = sum(1 for path in (project / "out").rglob("*") if path.is_file())
        if attempt == 0:
            found["first search query"] = first_query(project / "out", scratch / "chromium")
        idle.add(project)
        _listed(figures, idle)
        report()
        (project / "seeds" / next(extra.iterdir()).name).write_bytes(next(extra.iterdir()).read_bytes())
        increment.add(project)
        _listed(figures, increment)
        report()
        config = project / "config.yaml"
        config.write_text(config.read_text() + WORDING)
        wording.add(project)
        _listed(figures, wording)
        report()
        if size < BASE_URL_UP_TO:
            config.write_text(config.read_text().replace("base_url: http://127.0.0.1:8080/", "base_url: http://127.0.0.1:8081/"))
            moved.add(project)
            _listed(figures, moved)
            report()
        print(f"{size:,} run {attempt + 1}: cold {cold.seconds[-1]:.1f} s (feeds out {cold.feeds_seconds[-1]:.1f} s), "
              f"idle {idle.seconds[-1]:.2f} s, one dump {increment.seconds[-1]:.2f} s, "
              f"wording {wording.seconds[-1]:.1f} s, base_url {f'{moved.seconds[-1]:.1f} s' if moved.seconds else 'not run'}",
              flush=True)
        if attempt == repeat - 1:
            found["watch latency"] = latency(project, drops)
            report()
    shutil.rmtree(scratch / "project", ignore_errors=True)
    if size > naive_limit and not any(figure.scenario == "naive rebuild (no store)" for figure in figures):
        return  # too large to run, and no smaller size in this command to scale it from
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
    naive.python_mib.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures.append(naive)
    report()


FIRST_RESULTS = """return {results: document.querySelectorAll(".pagefind-ui__result-title").length,
  loading: document.querySelectorAll(".pagefind-ui__loading").length};"""


class CountingServer(ThreadingHTTPServer):
    """A static server on 127.0.0.1 that remembers the size of each file of `pagefind/` it sent:
    Pagefind fetches from a Web Worker, whose requests the page's own resource timing never sees."""

    def __init__(self, folder: Path) -> None:
        self.sent: list[int] = []
        super().__init__(("127.0.0.1", 0), partial(_CountingHandler, directory=str(folder)))


class _CountingHandler(SimpleHTTPRequestHandler):
    server: CountingServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        if self.path.startswith("/pagefind/"):
            self.server.sent.append(os.fstat(source.fileno()).st_size)
        super().copyfile(source, outputfile)


def _listed(figures: list[Figure], figure: Figure) -> None:
    if figure not in figures:
        figures.append(figure)


def first_query(out: Path, profile: Path, query: str = "Kazakhstan") -> dict[str, float] | str:
    """The first query on `search.html` in a headless Chromium with an empty cache, the site served
    on 127.0.0.1: seconds from typing to the first drawn results, and the requests and bytes of the
    search index sent until then (counted by the server)."""
    chromium, driver_binary = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_binary is None:
        return "not measured: chromium or chromedriver is not installed"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    server = CountingServer(out)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shutil.rmtree(profile, ignore_errors=True)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 f"--user-data-dir={profile}", "--window-size=1200,900"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver_binary), options=options)
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/search.html")
        box = WebDriverWait(browser, 60, poll_frequency=0.01).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".pagefind-ui__search-input"))
        started = time.perf_counter()
        box.send_keys(query)
        WebDriverWait(browser, 120, poll_frequency=0.01).until(
            lambda d: (shown := d.execute_script(FIRST_RESULTS))["results"] and not shown["loading"])
        seconds = time.perf_counter() - started
        sent = list(server.sent)
    finally:
        browser.quit()
        server.shutdown()
        server.server_close()
    return {"seconds": seconds, "requests": len(sent), "bytes": sum(sent)}


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
                                  fragments(entry, catalogue.site), entry.paragraphs)
            for key in catalogue.feed_keys(article.language, article.category, article.category_label, article.agency,
                                           article.topics):
                keys[key.path] = key
                members[key.path].append(published)
    written = 0
    size, limit = settings.feeds.archive_page_size, settings.feeds.max_entries
    for path, entries in members.items():
        entries.sort(key=lambda entry: entry.published)
        document = catalogue.describe(keys[path])
        head, archived = with_text(entries[-limit:][::-1]), entries[:-limit]
        pages = [archived[start:start + size] for start in range(0, len(archived), size)]
        files = {}
        for number, page in enumerate(pages):
            links = Links(archive_file(path, number), document.archive_url(number),
                          document.archive_url(number - 1) if number else None,
                          document.archive_url(number + 1) if number + 1 < len(pages) else None, document.url("atom"))
            files[links.file] = atom(document, page[::-1], links)
        files[feed_file(path)] = atom(document, head, Links(feed_file(path), document.url("atom")))
        files[feed_file(path, "rss")] = rss(document, head, Links(feed_file(path, "rss"), document.url("rss")))
        files[feed_file(path, "json")] = json_feed(document, head, Links(feed_file(path, "json"), document.url("json")))
        files[embed_file(path)] = embed_page(document, head)
        for relative, data in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
    return written


def latency(project: Path, drops: int) -> dict[str, float]:
    """`feeds watch` on a built project: a dump written as `.part` and renamed into `seeds/` (as a
    careful producer does), until its title is in `out/all.atom`; median, min and max seconds."""
    process = subprocess.Popen([sys.executable, "-m", "feeds", "watch", "--interval", "3600", "-q"], cwd=project)
    feed = project / "out/all.atom"
    seconds = []
    try:
        time.sleep(5)  # the first run: nothing new
        for drop in range(drops):
            title = f"Latency probe number {drop} from the benchmark"
            part = project / f"seeds/9{drop:05d}_probe.txt.part"
            part.write_text(f"Enbekshi QazaQ\n\nWorld\n\n{title} 01.03.2026\nA short body for probe {drop}.")
            started = time.monotonic()
            os.replace(part, part.with_suffix(""))
            while title not in feed.read_text(encoding="utf-8"):
                time.sleep(0.005)
            seconds.append(time.monotonic() - started)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds), "drops": len(seconds)}


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


def _kb(value: object) -> float:
    return float(value) / 1000  # type: ignore[arg-type]


def target_rows(figures: list[Figure], extras: dict[int, dict[str, object]]) -> tuple[list[str], list[str]]:
    """Issue 20's table, one column per size: the figure, the target and the verdict."""
    sizes = sorted(extras)
    by = {(figure.scenario, figure.size): figure for figure in figures}
    rows = ["| scenario | " + " | ".join(f"{size:,} articles | target | verdict" for size in sizes) + " |",
            "| --- |" + " ---: | --- | --- |" * len(sizes)]
    unmet: list[str] = []

    def row(name: str, cell: Callable[[int], tuple[str, float | None, float | None, str]]) -> None:
        cells = []
        for size in sizes:
            text, value, limit, goal = cell(size)
            verdict = "" if limit is None or value is None else ("met" if value <= limit else "**not met**")
            if verdict == "**not met**":
                unmet.append(f"{name} at {size:,}")
            cells.append(f"{text} | {goal} | {verdict}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")

    def seconds(scenario: str, values: str, goals: dict[int, tuple[str, float]]) -> Callable[[int], tuple[str, float | None, float | None, str]]:
        def cell(size: int) -> tuple[str, float | None, float | None, str]:
            figure = by.get((scenario, size))
            if figure is None:
                return "not run", None, None, goals.get(size, ("", 0.0))[0]
            measured = getattr(figure, values)
            median = figure.median(measured)
            cpu = statistics.median(figure.cpu_seconds) if values == "seconds" else None
            load = statistics.median(figure.load)
            text = (f"{median:.2f} s (min {min(measured):.2f}, max {max(measured):.2f}; "
                    + (f"{cpu:.0f} CPU s; " if cpu is not None else "") + f"load {load:.1f})")
            goal, limit = goals.get(size, ("", None))  # type: ignore[assignment]
            return text, median, limit, goal
        return cell

    row("cold build, feeds visible", seconds("cold build", "feeds_seconds", {100_000: ("30 s", 30), 1_000_000: ("6 min", 360)}))
    row("search index complete, after the feeds", seconds("cold build", "search_after",
                                                          {100_000: ("120 s", 120), 1_000_000: ("25 min", 1500)}))
    row("cold build, whole process", seconds("cold build", "seconds", {}))
    row("re-render after a wording change", seconds("re-render after a wording change", "seconds",
                                                     {100_000: ("20 s", 20), 1_000_000: ("3 min", 180)}))
    row("re-render after a base_url change", seconds("re-render after a base_url change", "seconds", {}))
    row("one new dump of 20 articles", seconds("one new dump of 20 articles", "seconds",
                                                {100_000: ("0.3 s", 0.3), 1_000_000: ("0.5 s", 0.5)}))
    row("no-op run", seconds("no-op run", "seconds", {100_000: ("0.2 s", 0.2), 1_000_000: ("0.3 s", 0.3)}))

    def watch(size: int) -> tuple[str, float | None, float | None, str]:
        found = extras[size].get("watch latency")
        if not isinstance(found, dict):
            return "not run", None, None, ""
        return f"{found['median']:.2f} s (min {found['min']:.2f}, max {found['max']:.2f}, {found['drops']} drops)", None, None, ""
    row("`feeds watch` latency (dump renamed in -> entry in all.atom)", watch)

    def per_article(key: str, limit: float) -> Callable[[int], tuple[str, float | None, float | None, str]]:
        def cell(size: int) -> tuple[str, float | None, float | None, str]:
            if key not in extras[size]:
                return "not run", None, None, f"{limit:.0f} KB"
            value = _kb(extras[size][key])
            return f"{value:.1f} KB", value, limit, f"{limit:.0f} KB"
        return cell
    row("`out/` per article, everything included", per_article("out bytes per article", 25))
    row("store per article", per_article("store bytes per article", 6))

    def memory(kind: str, goals: dict[int, float]) -> Callable[[int], tuple[str, float | None, float | None, str]]:
        def cell(size: int) -> tuple[str, float | None, float | None, str]:
            peaks = [max(getattr(figure, kind)) for figure in figures
                     if figure.size == size and getattr(figure, kind) and not figure.scenario.startswith("naive")]
            peak = max(peaks, default=0.0)
            return f"{peak:.0f} MiB", peak, goals.get(size), f"{goals[size]:.0f} MiB" if size in goals else ""
        return cell
    row("peak memory, largest Python process (any scenario)", memory("python_mib", {100_000: 300, 1_000_000: 1024}))
    row("peak memory, largest Pagefind process", memory("pagefind_mib", {100_000: 600, 1_000_000: 1024}))

    def browser(size: int) -> tuple[str, float | None, float | None, str]:
        found = extras[size].get("first search query")
        goal, limit = {100_000: ("1 s", 1.0), 1_000_000: ("1.5 s", 1.5)}.get(size, ("", None))  # type: ignore[assignment]
        if not isinstance(found, dict):
            return str(found), None, None, goal
        return (f"{found['seconds']:.2f} s, {found['requests']} requests, {found['bytes'] / 1e6:.2f} MB",
                found["seconds"], limit, goal)
    row("first search results in Chromium, cold cache (time)", browser)

    def browser_bytes(size: int) -> tuple[str, float | None, float | None, str]:
        found = extras[size].get("first search query")
        goal, limit = {100_000: ("1 MB", 1.0), 1_000_000: ("1.5 MB", 1.5)}.get(size, ("", None))  # type: ignore[assignment]
        if not isinstance(found, dict):
            return "", None, None, goal
        return f"{found['bytes'] / 1e6:.2f} MB", found["bytes"] / 1e6, limit, goal
    row("first search results in Chromium, cold cache (bytes)", browser_bytes)
    return rows, unmet


def write_results(figures: list[Figure], extras: dict[int, dict[str, object]], throughput: float,
                  args: argparse.Namespace, compared: tuple[Figure, Figure] | None, quiet: bool = False) -> None:
    naive = {figure.size: figure.median() for figure in figures if figure.scenario.startswith("naive")}
    figures = sorted(figures, key=lambda figure: (figure.size, figure.scenario.startswith("naive")))
    targets, unmet = target_rows(figures, extras)
    rows = [("| scenario | articles | median | min | max | CPU s | load | Python peak | Pagefind peak | files written | "
             "out/ after | vs naive rebuild |"),
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    stage_rows = ["| scenario | articles | " + " | ".join(STAGES) + " | total |", "| --- | ---: |" + " ---: |" * (len(STAGES) + 1)]
    for figure in figures:
        median = figure.median()
        ratio = "" if figure.scenario.startswith("naive") or figure.size not in naive else f"{median / naive[figure.size]:.3f}"
        cpu = f"{statistics.median(figure.cpu_seconds):.1f}" if figure.cpu_seconds else ""
        load = f"{statistics.median(figure.load):.1f}" if figure.load else ""
        pagefind = f"{max(figure.pagefind_mib):.0f} MiB" if figure.pagefind_mib and max(figure.pagefind_mib) else ""
        rows.append(f"| {figure.scenario} | {figure.size:,} | {median:.2f} s | {min(figure.seconds):.2f} s | "
                    f"{max(figure.seconds):.2f} s | {cpu} | {load} | {max(figure.python_mib):.0f} MiB | {pagefind} | "
                    f"{figure.files:,} | {figure.out_mb:,.0f} MB | {ratio} |")
        if figure.stages:
            medians = [statistics.median(stages.get(stage, 0.0) for stages in figure.stages) for stage in STAGES]
            stage_rows.append(f"| {figure.scenario} | {figure.size:,} | " + " | ".join(f"{m:.2f}" for m in medians)
                              + f" | {median:.2f} |")
    side_by_side = "" if compared is None else f"""
Side by side: the cold build of {compared[0].size:,} articles with the code of `{args.compare_with}`
and with this tree's, alternating, {args.repeat} run(s) each (median seconds per stage):

{chr(10).join(comparison_rows(*compared))}
"""
    unmet += [] if throughput >= 30 else ["parser throughput"]
    text = f"""# Benchmark results

Written by `.venv/bin/python benchmarks/bench.py {' '.join(sys.argv[1:])}`; do not edit by hand.

Machine: {machine()}.

Each scenario runs the real `feeds build` in a fresh process (start-up included) {args.repeat} time(s)
(1,000,000 articles: once) on a fresh copy of the corpus, one scenario after the other on the same
copy: the cold build, a run with nothing new, one new dump of 20 articles, a wording change (the
index page's title), a `feeds.base_url` change (every entry and document rendered again). Corpora:
`benchmarks/corpus.py`, 20 records per dump. "feeds visible" runs from the process's start until
the feeds, archives and pages are out and flushed; the search index is built after them. CPU
seconds are the whole process tree's (workers and Pagefind included); the load is the one-minute
load average as the run began (the machine may be shared). Peak memory is each process's high-water
mark (`VmHWM`), read from `/proc` every 0.2 s (the wall time is taken by a thread waiting for the
process, exactly). `feeds watch` runs on the built project with
`watch.settle_seconds: 0`. The first search query types `Kazakhstan` into `search.html` in headless
Chromium with an empty profile, the site served on 127.0.0.1 by a static server that counts every
file of `pagefind/` it sends (Pagefind fetches from a Web Worker, which the page's resource timing
does not see) until the first results are drawn. A `base_url` change is not run at 1,000,000
articles: it renders everything again, a cold build's work.

## Issue 20's targets

{chr(10).join(targets)}

Targets not met: {'; '.join(unmet) if unmet else 'none'}. Why, from the profiles: `benchmarks/README.md`.

## Every run

{chr(10).join(rows)}

Where the time goes: median seconds per stage, from each run's own JSON summary (`stage_seconds`);
"total" is the whole process, start-up and imports included. `ingest` reads, parses, classifies
and stores the dumps; `render` renders each new or changed entry once per format and writes its
page; `feeds` writes the feeds' documents and archive pages; `site` the index pages, OPML and assets;
`sync` flushes `out/` to disk (the feeds are then visible); `search` builds the search index after.

{chr(10).join(stage_rows)}
{side_by_side}
| other | figure | target |
| --- | ---: | --- |
| parser (decode + parse) on seed-format text | {throughput:.1f} MB/s | 30 MB/s{' met' if throughput >= 30 else ' **not met**'} |
"""
    args.output.write_text(text)
    if not quiet:
        print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="articles per corpus, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (1,000,000: at most 1)")
    parser.add_argument("--drops", type=int, default=10, help="dumps dropped for the latency figure")
    parser.add_argument("--naive-up-to", type=int, default=100_000, help="largest size the naive rebuild runs at")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "enbekshi-bench")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the results file to write (one per command: "
                        "a million-article run apart from the smaller ones keeps both)")
    parser.add_argument("--compare-with", metavar="REV", help="git revision whose cold build at the smallest size "
                        "runs side by side with this tree's")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    extras: dict[int, dict[str, object]] = {}
    sizes = [int(size) for size in args.sizes.split(",")]
    become_subreaper()
    corpus_dir = args.scratch / f"corpus-{sizes[0]}"
    if not corpus_dir.is_dir():
        corpus.write_corpus(corpus_dir, sizes[0])
    throughput = parser_throughput(corpus_dir)
    for size in sizes:
        measure(size, args.repeat if size < 1_000_000 else 1, args.scratch, figures, extras, args.naive_up_to, args.drops,
                lambda: write_results(figures, extras, throughput, args, None, quiet=True))
    compared = None if args.compare_with is None else compare(min(sizes), args.repeat, args.scratch, args.compare_with)
    write_results(figures, extras, throughput, args, compared)


def reap() -> None:
    """Wait for every process this one is the parent or the subreaper of."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def become_subreaper() -> None:
    """Processes a run leaves behind (its worker pool's fork server outlives it by a moment) are
    reaped by this one, so that their CPU time counts towards the run's."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER

if __name__ == "__main__":
    main()
