"""The `feeds` command: a thin layer that turns arguments into settings and reports into text."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from feeds import __version__, logs, progress
from feeds.health import verdict
from feeds.lock import Busy, LockError
from feeds.logs import log_problem
from feeds.run import build, status
from feeds.settings import ConfigError, Settings, load_settings
from feeds.signals import stopping_on_signals
from feeds.store import StoreError
from feeds.timing import KAZAKHSTAN
from feeds.write import OutputError

EXIT_OK = 0
EXIT_UNHEALTHY = 1  # `feeds status --check` only
EXIT_CONFIG = 2
EXIT_OUTPUT = 3
EXIT_STATE = 4  # the store or its lock cannot be used
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, never bad input
EXIT_BUSY = 75  # EX_TEMPFAIL: another run held the lock; cron may simply try again next time
EXIT_INTERRUPTED = 130  # SIGINT or SIGTERM: the run stopped at a boundary, the rest is left for the next
DEFAULT_CONFIG = Path("config.yaml")
log = logging.getLogger("feeds")
SectionT = TypeVar("SectionT", bound=BaseModel)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="settings file (default: ./config.yaml if present)")
    common.add_argument("--seeds", type=Path, help="folder of dump files (overrides paths.seeds)")
    common.add_argument("--out", type=Path, help="folder to publish feeds to (overrides paths.out)")
    common.add_argument("--state", type=Path, help="SQLite store (overrides paths.state)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more detail (twice: library debug too)")
    common.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    common.add_argument("--log-format", choices=("text", "json"), default="text", help="log lines for people or collectors")
    common.add_argument("--no-search", action="store_true",
                        help="publish without the search index (and remove it), whatever search.enabled says")
    parser = argparse.ArgumentParser(prog="feeds", description="Publish Atom feeds from Enbekshi QazaQ news dumps.")
    parser.add_argument("--version", action="version", version=f"enbekshi-feeds {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", parents=[common], help="one run: ingest new or changed dumps, write the feeds that changed")
    watch_command = commands.add_parser("watch", parents=[common], help="run continuously, publishing dumps as they arrive")
    watch_command.add_argument("--interval", type=float, help="seconds between scans (overrides watch.interval_seconds)")
    serve_command = commands.add_parser("serve", parents=[common], help="serve out/ over HTTP (optionally publishing too)")
    serve_command.add_argument("--host", help="address to bind (overrides serve.host; default 127.0.0.1)")
    serve_command.add_argument("--port", type=int, help="port to listen on (overrides serve.port; default 8080)")
    serve_command.add_argument("--health-port", type=int,
                               help="loopback port answering only /healthz (overrides serve.health_port; default port + 1)")
    serve_command.add_argument("--watch", action="store_true", help="also run the publisher of `feeds watch` in this process")
    serve_command.add_argument("--interval", type=float, help="with --watch: seconds between scans")
    status_command = commands.add_parser("status", parents=[common], help="what the store holds, the last run, rejected files")
    status_command.add_argument("--json", action="store_true", help="print the status as JSON")
    status_command.add_argument("--check", action="store_true",
                                help="one line and exit 1 when unhealthy (failed run, anything held back, no new dump)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure(-1 if args.quiet else args.verbose, args.log_format)
    try:
        return _main(args)
    except BrokenPipeError:
        # `feeds status | head`: the reader has what it wanted; say nothing more, anywhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        log.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.error("internal error: %s: %s (a bug, not your input; run with -v for the traceback)", type(exc).__name__, exc,
                  exc_info=args.verbose > 0)
        return EXIT_INTERNAL


def _main(args: argparse.Namespace) -> int:
    config = args.config if args.config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    try:
        settings = _settings(args, config)
        if args.command in ("watch", "serve"):
            from feeds.daemon import ConfigWatch, serve, watch  # the scheduler and file events, only for the daemons

            watching = _flag("--interval", settings.watch, interval_seconds=args.interval)
            current = ConfigWatch(settings, config, lambda: _settings(args, config))
            if args.command == "watch":
                return watch(current, watching.interval_seconds)
            serving = _flag("--host/--port/--health-port", settings.serve, host=args.host, port=args.port,
                            health_port=args.health_port)
            return serve(current, serving.host, serving.port, serving.health_listener(),
                         watching.interval_seconds if args.watch else None)
        if args.command == "status":
            return _status(settings, args.json, args.check)
        with stopping_on_signals() as stop:
            report = build(settings, on_problem=log_problem, should_stop=stop.is_set,
                           progress=progress.for_terminal(args.quiet, args.log_format))
    except ConfigError as exc:
        if args.command == "status" and args.check:
            # For a monitoring system: a config that cannot be used (a bad edit, say) is unhealthy.
            print(f"UNHEALTHY: the configuration cannot be used: {exc}")
            return EXIT_UNHEALTHY
        log.error("configuration error: %s", exc)
        return EXIT_CONFIG
    except OutputError as exc:
        log.error("output error: %s", exc)
        return EXIT_OUTPUT
    except (StoreError, LockError) as exc:
        log.error("state error: %s", exc)
        return EXIT_STATE
    except Busy as exc:
        log.error("%s", exc)
        return EXIT_BUSY
    if args.log_format == "json":
        log.info(report.summary(), extra={"run": report.as_fields()})
    elif not args.quiet:
        try:
            print(report.summary(), flush=True)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk behind stdout: the run itself is done and recorded
            log.error("cannot write the summary to standard output: %s", exc.strerror or exc)
    return EXIT_INTERRUPTED if stop.is_set() else EXIT_OK


def _settings(args: argparse.Namespace, config: Path | None) -> Settings:
    """The config file's settings with the command line's paths and flags in them."""
    cli_paths = {name: getattr(args, name) for name in ("seeds", "out", "state") if getattr(args, name) is not None}
    settings = load_settings(config, cli_paths)
    if args.no_search:
        settings = settings.model_copy(update={"search": _flag("--no-search", settings.search, enabled=False)})
    return settings


def _flag(names: str, section: SectionT, **values: object) -> SectionT:
    """A settings section with command-line values in it, checked by the same schema."""
    given = {key: value for key, value in values.items() if value is not None}
    try:
        return type(section).model_validate(section.model_dump() | given)
    except ValidationError as exc:
        raise ConfigError(f"{names}: " + "; ".join(f"{error['loc'][0]}: {error['msg']}" for error in exc.errors())) from None


def _status(settings: Settings, as_json: bool, check: bool) -> int:
    if not settings.paths.state.exists():
        raise ConfigError(f"paths.state: {settings.paths.state} does not exist yet; run `feeds build` first")
    held = status(settings)
    health = verdict(held, time.time(), settings.watch.stale_after)
    if check:
        print(health.line())
        return EXIT_OK if health.healthy else EXIT_UNHEALTHY
    if as_json:
        print(json.dumps(asdict(held) | {"health": health.as_json()}, ensure_ascii=False, indent=2))
        return EXIT_OK
    lines = [f"store: {settings.paths.state}", f"articles: {held.articles} from {held.seed_files} seed files"]
    for title, counts in (("by language", held.by_language), ("by category", held.by_category)):
        lines.append(f"{title}: " + (", ".join(f"{name} {count}" for name, count in counts.items()) or "none"))
    last = held.last_run
    if last is not None:
        lines.append(f"last run: {_when(last.finished_at)}: " + (f"FAILED: {last.error}" if last.error else last.summary))
    else:
        lines.append("last run: none")
    if held.run_in_progress:
        lines.append(f"a run is under way: {held.run_stage or 'starting'}")
    if held.interrupted_stage or (held.run_stage and not held.run_in_progress):
        lines.append(f"incomplete: the last run stopped while {held.interrupted_stage or held.run_stage}")
    for title, at in (("feeds complete", held.feeds_complete_at), ("search index complete", held.search_complete_at)):
        lines.append(f"{title}: " + (_when(at) if at is not None else "never"))
    if held.search_pages_due:
        lines.append("search index: pages changed since it was last complete are still to be indexed")
    lines.append(f"files with problems: {len(held.files_with_problems)}")
    lines.extend(f"  {message}" for messages in held.files_with_problems.values() for message in messages)
    lines.append(f"quarantined articles: {len(held.quarantined_articles)}")
    lines.extend(f"  {item.id}: {item.title!r}: {item.reason}" for item in held.quarantined_articles)
    for title, unwritten in (("feeds not written", held.feeds_not_written), ("article pages not written", held.pages_not_written),
                             ("search shards not built", held.search_shards_not_built)):
        lines.append(f"{title}: {len(unwritten)}")
        lines.extend(f"  {subject}: {reason}" for subject, reason in unwritten.items())
    lines.append(f"health: {health.line()}")
    print("\n".join(lines))
    return EXIT_OK


def _when(moment: float) -> str:
    """A moment as people here read it: in Kazakhstan's time, like every date the feeds show."""
    return datetime.fromtimestamp(moment, KAZAKHSTAN).isoformat(timespec="seconds")


if __name__ == "__main__":
    sys.exit(main())
