"""`seat-console sync --once | --status | --restore [--force]`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from seat_console.config import Config
from seat_console.core import clock
from seat_console.core.plain_text import printable
from seat_console.core.sync.client import (
    CURSOR_KEY,
    LAST_SUCCESS_KEY,
    SyncClient,
    SyncUnavailable,
    failed_count,
    issue_count,
    pending_count,
    state,
)
from seat_console.core.sync.issues import conflicts
from seat_console.core.workspace import open_store

PHASES = {"push": "pushed", "pull": "pulled", "restore": "restored"}


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return printable(text if len(text) <= 60 else text[:60] + "…", one_line=True)


def status(args: argparse.Namespace, config: Config) -> int:
    db = open_store(config)[0]
    found = conflicts(db)
    report = {"center": config.center.url, "pending": pending_count(db),
              "failed": failed_count(db), "cursor": int(state(db, CURSOR_KEY, "0") or 0),
              "last_success": state(db, LAST_SUCCESS_KEY) or None, "issues": issue_count(db),
              "conflicts": [c.as_json() for c in found]}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"center {report['center'] or '(not configured)'}; pending {report['pending']}; "
          f"failed {report['failed']}; last success {report['last_success'] or 'never'}; "
          f"issues {report['issues']}; conflicts {len(found)}")
    for c in found:
        print(f"conflict {c.ticket} {c.label}: site {_value(c.site_value)} | center "
              f"{_value(c.center_value)} ({clock.short_time(c.at)})")
    return 0


def _client(config: Config, args: argparse.Namespace) -> SyncClient:
    def progress(phase: str, done: int, total: int | None) -> None:
        print(f"{PHASES.get(phase, phase)} {done}" + (f"/{total}" if total else ""),
              file=sys.stderr, flush=True)

    return SyncClient(open_store(config)[0], str(config.center.url), config.site_code,
                      str(config.center.token), progress=None if args.json else progress)


def restore(args: argparse.Namespace, config: Config) -> int:
    from seat_console.core.sync.restore import RestoreRefused
    from seat_console.core.sync.restore import restore as run_restore

    client = _client(config, args)
    try:
        report = run_restore(client.db, client.link, config.site_code, force=args.force,
                             progress=client.progress)
    except RestoreRefused as exc:
        print(f"seat-console: error: {exc}; rerun with --force to restore anyway",
              file=sys.stderr)
        return 2
    except SyncUnavailable as exc:
        print(f"seat-console: error: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(f"restored {report.tickets} tickets, skipped {report.skipped}, "
              f"cursor {report.cursor}")
    return 0 if not report.skipped else 1


def sync(args: argparse.Namespace, config: Config) -> int:
    if args.status or not (args.once or args.restore):
        return status(args, config)
    if not config.center.url or not config.center.token:
        print("seat-console: error: set center.url and center.token in the config "
              "(or SEAT_CONSOLE_CENTER_URL / SEAT_CONSOLE_CENTER_TOKEN)", file=sys.stderr)
        return 2
    if args.restore:
        return restore(args, config)
    client = _client(config, args)
    try:
        report = client.sync_once()
    finally:
        client.close()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(f"pushed {report.pushed}, pulled {report.pulled}, pending {report.pending}, "
              f"conflicts {report.conflicts}, rejected {report.rejected}, skipped "
              f"{report.skipped}" + (f"; {report.errors[0]}" if report.errors else ""))
    return 0 if report.pending == 0 and not report.errors else 1
