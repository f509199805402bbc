"""Scale benchmark: a store of many articles, then the runs an operator does every few minutes.

    .venv/bin/python benchmarks/scale.py --files 400 --per-file 50 --repeat 5

Writes synthetic dumps shaped like the real seeds (bodies are sentences from them, reshuffled,
so language detection and paragraph splitting do real work), then measures:
- cold: the first build, every file new;
- idle: a build with nothing changed (must not read files nor write feeds);
- one new dump: a build after one more file lands (work proportional to that file);
and the peak resident memory of each, in a fresh process per measurement.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sentences() -> tuple[list[str], list[str]]:
    english, russian = [], []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n")[4:]:
            body = line.split("Source :")[0]
            parts = [p.strip() for p in body.replace(".", ".\n").split("\n") if len(p.strip()) > 30]
            (russian if any("а" <= ch <= "я" for ch in body) else english).extend(parts)
    return english, russian


def write_dumps(folder: Path, files: int, per_file: int, start: int = 0, seed: int = 1) -> None:
    rng = random.Random(seed)
    english, russian = sentences()
    news_id = 1_000_000 + start * per_file
    day = date(2023, 1, 1) + timedelta(days=start * per_file // 40)
    for index in range(start, start + files):
        lines = ["Enbekshi QazaQ", "", rng.choice(["World", "Economy", "Society", "Әлем", "Спорт"]), ""]
        for _ in range(per_file):
            news_id += 1
            if news_id % 40 == 0:
                day += timedelta(days=1)
            pool = russian if rng.random() < 0.25 else english
            title = rng.choice(pool)[:90].rstrip(".")
            body = "".join(rng.sample(pool, 6))
            agency = rng.choice(["mfa", "mod", "economy", "kostanay", "mfa-nairobi"])
            lines.append(f"{title} {day:%d.%m.%Y}")
            lines.append(f"{body}Source : https://www.gov.kz/memleket/entities/{agency}/press/news/details/{news_id}?lang=kk")
        (folder / f"{index:05d}_bench.txt").write_text("\n".join(reversed_pairs(lines)), encoding="utf-8")


def reversed_pairs(lines: list[str]) -> list[str]:
    """Listings are newest first: reverse the records, keep the header."""
    header, body = lines[:4], lines[4:]
    pairs = [body[i:i + 2] for i in range(0, len(body), 2)]
    return header + [line for pair in reversed(pairs) for line in pair]


def timed_build(project: Path) -> tuple[float, int, str]:
    code = (
        "import resource, sys, time; from pathlib import Path; from feeds.settings import load_settings; "
        "from feeds.build import build; s = load_settings(Path('config.yaml')); t = time.perf_counter(); "
        "r = build(s); d = time.perf_counter() - t; "
        "print(d, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, r.summary(), sep='\\t')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True).stdout
    seconds, rss, summary = out.strip().split("\t")
    return float(seconds), int(rss), summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, int]]] = {"cold": [], "idle": [], "one new dump": []}
    for attempt in range(args.repeat):
        with tempfile.TemporaryDirectory() as scratch:
            project = Path(scratch)
            (project / "seeds").mkdir()
            config = (ROOT / "config.yaml").read_text().replace("settle_seconds: 2", "settle_seconds: 0")
            (project / "config.yaml").write_text(config)
            write_dumps(project / "seeds", args.files, args.per_file)
            for name in ("cold", "idle"):
                seconds, rss, summary = timed_build(project)
                results[name].append((seconds, rss))
                print(f"run {attempt + 1} {name}: {seconds:.2f} s, {rss / 1024:.0f} MiB; {summary}", flush=True)
            write_dumps(project / "seeds", 1, args.per_file, start=args.files)
            seconds, rss, summary = timed_build(project)
            results["one new dump"].append((seconds, rss))
            print(f"run {attempt + 1} one new dump: {seconds:.2f} s, {rss / 1024:.0f} MiB; {summary}", flush=True)
    articles = args.files * args.per_file
    print(json.dumps({name: {"median_seconds": round(statistics.median(s for s, _ in runs), 3),
                             "median_peak_rss_mib": round(statistics.median(r for _, r in runs) / 1024)}
                      for name, runs in results.items()} | {"articles": articles}, indent=1))


if __name__ == "__main__":
    main()
