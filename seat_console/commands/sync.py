"""`seat-console sync --once | --status`."""

from __future__ import annotations

import argparse
import json
import sys

from seat_console.config import Config
from seat_console.core.sync.client import (
    CURSOR_KEY,
    LAST_SUCCESS_KEY,
    SyncClient,
    issue_count,
    pending_count,
    state,
)
from seat_console.core.workspace import open_store


def sync(args: argparse.Namespace, config: Config) -> int:
    db = open_store(config)[0]
    if args.status or not args.once:
        issues = issue_count(db)
        status = {"center": config.center.url, "pending": pending_count(db),
                  "cursor": int(state(db, CURSOR_KEY, "0")),
                  "last_success": state(db, LAST_SUCCESS_KEY) or None, "issues": issues}
        if args.json:
            print(json.dumps(status, ensure_ascii=False))
        else:
            print(f"center {status['center'] or '(not configured)'}; pending {status['pending']}; "
                  f"last success {status['last_success'] or 'never'}; issues {issues}")
        return 0
    if not config.center.url or not config.center.token:
        print("seat-console: error: set center.url and center.token in the config "
              "(or SEAT_CONSOLE_CENTER_URL / SEAT_CONSOLE_CENTER_TOKEN)", file=sys.stderr)
        return 2
    client = SyncClient(db, config.center.url, config.site_code, config.center.token)
    try:
        report = client.sync_once()
    finally:
        client.close()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(f"pushed {report.pushed}, pulled {report.pulled}, pending {report.pending}, "
              f"conflicts {report.conflicts}" + (f"; {report.errors[0]}" if report.errors else ""))
    return 0 if report.pending == 0 and not report.errors else 1
