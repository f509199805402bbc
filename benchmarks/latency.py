"""Latency benchmark: from a dump landing in `seeds/` to its entry in `out/all.atom`, under `feeds watch`.

    .venv/bin/python benchmarks/latency.py --drops 10 --settle 2

Starts the real `feeds watch --interval 3600` (so only file events can explain a fast pick-up) on a
copy of the bundled seeds, then lands one new dump at a time, as a producer that writes
`name.txt.part` and renames it would, and polls the feed every 20 ms until the new title is there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drops", type=int, default=10)
    parser.add_argument("--settle", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copytree(ROOT / "seeds", project / "seeds")
        config = (ROOT / "config.yaml").read_text().replace("settle_seconds: 2", f"settle_seconds: {args.settle}")
        (project / "config.yaml").write_text(config)
        process = subprocess.Popen([sys.executable, "-m", "feeds", "watch", "--interval", "3600", "-q"], cwd=project)
        feed = project / "out/all.atom"
        while not feed.exists():
            time.sleep(0.05)
        latencies = []
        for drop in range(args.drops):
            title = f"Latency probe number {drop} from the benchmark"
            part = project / f"seeds/9{drop:03d}_probe.txt.part"
            part.write_text(f"Enbekshi QazaQ\n\nWorld\n\n{title} 01.03.2026\nA short body for probe {drop}.")
            started = time.monotonic()
            os.replace(part, part.with_suffix(""))
            while title not in feed.read_text(encoding="utf-8"):
                time.sleep(0.02)
            latencies.append(time.monotonic() - started)
            print(f"drop {drop}: {latencies[-1]:.2f} s", flush=True)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    print(f"settle {args.settle:g} s: median {statistics.median(latencies):.2f} s, "
          f"min {min(latencies):.2f} s, max {max(latencies):.2f} s over {args.drops} drops")


if __name__ == "__main__":
    main()
