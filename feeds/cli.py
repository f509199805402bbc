"""The `feeds` command: a thin layer that turns arguments into settings and reports into text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feeds.build import OutputError, build
from feeds.settings import ConfigError, load_settings

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_OUTPUT = 3
DEFAULT_CONFIG = Path("config.yaml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feeds", description="Publish Atom feeds from Enbekshi QazaQ news dumps.")
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="ingest new or changed dumps and regenerate the feeds that changed")
    build_command.add_argument("--config", type=Path, help="settings file (default: ./config.yaml if present)")
    build_command.add_argument("--seeds", type=Path, help="folder of dump files (overrides paths.seeds)")
    build_command.add_argument("--out", type=Path, help="folder to publish feeds to (overrides paths.out)")
    build_command.add_argument("--state", type=Path, help="SQLite store (overrides paths.state)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = args.config if args.config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    cli_paths = {name: getattr(args, name) for name in ("seeds", "out", "state") if getattr(args, name) is not None}
    try:
        settings = load_settings(config, cli_paths)
        report = build(settings, on_problem=lambda problem: print(problem, file=sys.stderr))
    except ConfigError as exc:
        print(f"feeds: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OutputError as exc:
        print(f"feeds: output error: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    print(report.summary())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
