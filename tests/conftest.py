"""Small fixtures: the bundled seeds, the shared schemas, a dump writer, the `feeds` command run in
this process (most tests) or as a real child process (the few that need signals, pipes or
privileges), and the 2,500-article corpus built once per run. Also how a run is set up: temporary
folders in RAM, fewer property-test examples in the fast tier."""

from __future__ import annotations

import gc
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from filelock import FileLock
from lxml import etree, isoschematron

# Hypothesis runs every "hypothesis" entry point when it is imported: trio (Selenium's) registers one
# for its own tests, 0.23 s in every test process and in the summary at the end. None is used here.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCHEMAS = ROOT / "tests/data/schemas"  # RFC 4287 RELAX NG and our Schematron rules (README there: where from)
SEED_000 = "000_793b351cc4328b6c.txt"
SEED_002 = "002_6ececeaa680a1434.txt"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"  # RSS's content:encoded
DC = "{http://purl.org/dc/elements/1.1/}"
HISTORY = "{http://purl.org/syndication/history/1.0}"  # RFC 5005
BASE = "http://127.0.0.1:8080/"
RFC3339_ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+05:00$")


def dump(*records: tuple[str, str], section: str = "World", site: str = "Enbekshi QazaQ") -> str:
    """A dump's text from (title line, body line) pairs, in the format of the real seeds."""
    lines = [site, "", section, ""]
    for title, body in records:
        lines.append(title)
        if body:
            lines.append(body)
    return "\n".join(lines)


def run_feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `feeds` command's entry function, called in this process from `cwd` with its output
    captured: what the console script runs, without a child process's start-up."""
    from feeds.cli import main  # here, not above: xdist's controller process loads this file and runs no test

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(previous)
    return subprocess.CompletedProcess(["feeds", *args], code, out.getvalue(), err.getvalue())


def run_process(*args: str, cwd: Path, prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, as a user or cron would run it."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*prefix, sys.executable, "-m", "feeds", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def new_project(folder: Path) -> Path:
    """A project folder with the bundled seeds, a config and nothing built yet."""
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "config.yaml").write_text(project_config(), encoding="utf-8")
    return folder


def project_config(search: bool = False) -> str:
    """The bundled config, for tests: dumps they write are complete at once (no need to wait for
    them to settle), and the search index is built only by the tests that look at it
    (`test_search.py`), so the others do not pay for Pagefind."""
    config = (ROOT / "config.yaml").read_text(encoding="utf-8").replace("settle_seconds: 2", "settle_seconds: 0")
    return config if search else config.replace("enabled: true  # a static", "enabled: false  # a static")


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A project of the bundled seeds and the test config; built already for a test marked
    `built` (a copy of one build per test process, so that each test does not pay for it)."""
    if request.node.get_closest_marker("built") is None:
        return new_project(tmp_path)
    template = request.getfixturevalue("built_seeds")
    shutil.copytree(template, tmp_path, dirs_exist_ok=True, symlinks=True)
    return tmp_path


GOV_NEWS = "https://www.gov.kz/memleket/entities/{}/press/news/details/{}?lang=kk"
SMALL_DUMP = dump(
    ("Kazakhstan and Kenya discuss cooperation 20.02.2026",
     f"The ambassador met the council in Nairobi to discuss trade.Source : {GOV_NEWS.format('mfa', 1001)}"),
    ("Farmers of Kostanay region begin sowing 19.02.2026",
     f"The akimat reports that sowing has begun early this year. Source : {GOV_NEWS.format('kostanay', 1002)}"),
    ("Казахстан и Кения обсудили сотрудничество 19.02.2026",
     ("Посол встретился с советом в Найроби, чтобы обсудить торговлю. Стороны договорились продолжить сотрудничество "
     "в области образования, культуры и туризма, а также провести деловой форум в Алматы в следующем году. "
     "Встреча прошла в дружественной атмосфере.")),
)  # the Russian body is long enough for its script to tell its language (lingua's models load in 0.4 s)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A project of one dump of three articles (two English with gov.kz sources, one Russian
    without) and the test config, nothing built: for tests about how a run behaves, where the
    seeds' 39 articles would only make each build slower."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds/001_small.txt").write_text(SMALL_DUMP, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(project_config(), encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def built_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled seeds built once (per test process), for the `built` tests to copy."""
    folder = new_project(tmp_path_factory.mktemp("built-seeds"))
    assert run_feeds("build", cwd=folder).returncode == 0
    return folder


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of 2,500 generated articles (`benchmarks/corpus.py`: three languages, eight
    sections, twelve agencies, bodies like the seeds': enough that every kind of feed has archive
    pages, `all` fifty; the benchmarks' 5,000 took twice as long), built once per run and only read:
    `test_corpus.py` checks its documents, `test_scale.py` copies it. Under xdist the workers
    share one build, made by the first to ask under a file lock (xdist's recipe; its
    `--dist loadgroup` does not group on pytest 9.2: pytest-xdist issue 1386)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _build_corpus(tmp_path_factory.mktemp("corpus"))
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's
    with FileLock(shared / "corpus.lock"):
        folder = shared / "corpus"
        return folder if (folder / "built").exists() else _build_corpus(folder)


def _build_corpus(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus as generated

    generated.write_corpus(folder / "seeds", 2_500)
    (folder / "config.yaml").write_text(project_config(), encoding="utf-8")
    cores = os.sched_getaffinity(0)
    if "PYTEST_XDIST_WORKER" in os.environ:  # the other cores run the other workers: no process pool (1.4 core-s saved)
        os.sched_setaffinity(0, {min(cores)})
    try:
        result = run_feeds("build", "-q", cwd=folder)
    finally:
        os.sched_setaffinity(0, cores)
    assert result.returncode == 0, result.stderr
    (folder / "built").touch()
    return folder


FAST_TIER = False  # `-m "not slow"`: see `examples`


def examples(full: int) -> int:
    """How many examples a property test tries: all of them in the full suite, a tenth (at least
    three) in the fast tier (`make test-fast`, the edit-and-test loop)."""
    return max(full // 10, 3) if FAST_TIER else full


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders in RAM (/dev/shm) when it has room and no other place was asked for: each
    build ends in a `syncfs`, which on a disk waits for every byte earlier tests wrote (the suite
    writes hundreds of megabytes: the corpus, and a build in most tests). Passed tests' folders are removed
    (`tmp_path_retention_policy` in pyproject.toml), so the RAM is given back."""
    global FAST_TIER
    FAST_TIER = config.option.markexpr.replace(" ", "") == "notslow"
    shm = Path("/dev/shm")
    asked = config.option.basetemp or os.environ.get("TMPDIR") or hasattr(config, "workerinput")
    if not asked and shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 4 << 30:
        tempfile.tempdir = str(shm)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is loaded by now (the program, its libraries, the collected tests) lives to the end: the
    garbage collector stops walking it on every full collection (0.2-0.3 s a process)."""
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Nor at exit, once every test has run."""
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first test that needs the 2,500-article corpus runs first: its build (the longest single
    step of the suite) then starts at once. The others run three quarters of the way down the list,
    in the middle of the second worker's half (xdist's `worksteal` hands each worker a contiguous
    half): by then the corpus is built, and the run still ends on short tests, which the worker that
    is done first can take over (at the very end, one of them alone kept a core idle for 2 s)."""
    needing = [item for item in items if "corpus" in getattr(item, "fixturenames", ())]
    if needing:
        rest = [item for item in items if item not in needing]
        middle = len(rest) * 3 // 4
        items[:] = [needing[0], *rest[:middle], *needing[1:], *rest[middle:]]


@cache
def atom_schemas() -> tuple[etree.RelaxNG, isoschematron.Schematron]:
    """The shared RFC 4287 RELAX NG schema and Schematron rules, compiled once per session."""
    return (etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng"))),
            isoschematron.Schematron(etree.parse(str(SCHEMAS / "atom-rules.sch"))))


def check_atom(path: Path, self_url: str, read: bool = True) -> None:
    """Valid RFC 4287, plus what the W3C validator warns about and the schema cannot check: self
    link, author, zoned dates, unique `updated`, unique ids, newest first; with `read`, also read
    cleanly by feedparser (pure Python, most of the cost: see `test_corpus.py`)."""
    document = etree.parse(str(path))
    relax_ng, schematron = atom_schemas()
    assert relax_ng.validate(document), (path, relax_ng.error_log)
    assert schematron.validate(document), (path, schematron.error_log)
    if read:
        import feedparser

        parsed = feedparser.parse(str(path), sanitize_html=False, resolve_relative_uris=False)  # bozo is what counts
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    root = document.getroot()
    self_links = [link.get("href") for link in root.iterfind(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_links == [self_url], path
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Enbekshi QazaQ"
    entries = root.findall(f"{ATOM}entry")
    assert entries, path
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    dates = updated + [e.findtext(f"{ATOM}published") for e in entries] + [root.findtext(f"{ATOM}updated")]
    assert all(RFC3339_ZONED.match(d) for d in dates), path
    assert len(set(updated)) == len(updated), path
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries), path
    assert root.findtext(f"{ATOM}updated") == max(updated), path
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True), path


class _Reader(HTMLParser):
    """An HTML fragment as a reader's HTML parser sees it: the text of each paragraph, every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts = [""]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "p":
            self.texts.append("")

    def handle_data(self, data: str) -> None:
        self.texts[-1] += data


def read_html(fragment: str) -> tuple[list[str], list[str]]:
    """(the text before the first paragraph followed by each paragraph's text, the tags)."""
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    return reader.texts, reader.tags


def check_rss(path: Path, atom_path: Path, read: bool = True) -> None:
    """RSS 2.0 with the items of its Atom twin, every item saying in HTML exactly what its twin
    says: the description is the summary's text and holds no markup, `content:encoded` the
    paragraphs of the Atom content (what the W3C validator's NotHtml warning is about). With
    `read`, also read cleanly by feedparser (pure Python, most of the cost)."""
    document = etree.parse(str(path)).getroot()
    assert document.tag == "rss" and document.get("version") == "2.0", path
    atom = {entry.findtext(f"{ATOM}id"): entry for entry in etree.parse(str(atom_path)).getroot().iterfind(f"{ATOM}entry")}
    assert [item.findtext("guid") for item in document.iterfind("channel/item")] == list(atom), path
    if read:
        import feedparser

        parsed = feedparser.parse(str(path), sanitize_html=False, resolve_relative_uris=False)  # bozo is what counts here
        assert parsed.bozo == 0 and parsed.version == "rss20", (path, parsed.get("bozo_exception"))
    for item in document.iterfind("channel/item"):
        twin = atom[item.findtext("guid")]
        text, tags = read_html(item.findtext("description"))
        assert tags == [] and text == [twin.findtext(f"{ATOM}summary") or twin.findtext(f"{ATOM}title")], path
        encoded = item.findtext(f"{CONTENT}encoded")
        if encoded is not None:
            shown = read_html(encoded)
            assert shown == read_html(twin.findtext(f"{ATOM}content")) and set(shown[1]) == {"p"}, path
        assert item.findtext(f"{DC}creator") == twin.findtext(f"{ATOM}author/{ATOM}name")


def titles(out: Path, feed: str = "all.atom") -> list[str]:
    """The entry titles of a published Atom document, newest first. lxml, not feedparser: tests poll
    this while a daemon works, and feedparser (pure Python) would take a core from it."""
    return [entry.findtext(f"{ATOM}title") or "" for entry in etree.parse(str(out / feed)).getroot().iterfind(f"{ATOM}entry")]


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its relative path, with its bytes: what two outputs are compared by."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def wait_for(condition: Callable[[], object], seconds: float) -> bool:
    """Whether `condition` comes true within `seconds` (asked every 20 ms): what a test waits on
    instead of sleeping for a guess."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def holds_open(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (Linux's /proc)."""
    wanted = str(path.resolve())
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(descriptor) == wanted:
                return True
        except FileNotFoundError:  # closed while we looked
            continue
    return False


def unprivileged() -> list[str]:
    """A command prefix that makes file permissions bind even when the tests run as root (as in
    CI): without CAP_DAC_OVERRIDE, root is refused what its mode bits refuse."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to bind")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def run_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_process(*args, cwd=cwd, prefix=unprivileged())
