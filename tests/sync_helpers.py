"""Helpers of the sync tests: a site beside a real center, tickets, a poisoned change log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from .center_fixture import Center, Site


def make_site(tmp_path: Path, center: Center, code: str = "210102") -> Site:
    folder = tmp_path / code
    folder.mkdir()
    return Site(folder, code, center.add_site(code), center)


def add_ticket(site: Site, **fields: Any) -> dict[str, Any]:
    ticket = {"phone": "13912345678", "demand": "路灯不亮", "request_type": "help",
              "channel": "sms", **fields}
    result = site.run("ticket", "add", "--json", stdin=json.dumps(ticket, ensure_ascii=False))
    assert result.returncode == 0, result.stdout + result.stderr
    shown = json.loads(result.stdout)
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        shown["id"] = raw.execute("SELECT id FROM ticket WHERE number = ?",
                                  (shown["number"],)).fetchone()[0]
    return shown


def sync(site: Site, *flags: str) -> dict[str, Any]:
    result = site.run("sync", "--once", "--json", *flags)
    report = json.loads(result.stdout)
    report["exit"], report["stderr"] = result.returncode, result.stderr
    return report


def poison(center: Center, ticket_id: str, payload: dict[str, Any], site: str = "210102") -> None:
    """A change in the center's log that its own checks would never write (a hostile or buggy
    center): written straight into its SQLite file."""
    with sqlite3.connect(center.db) as raw:
        columns = raw.execute("PRAGMA table_info(changes)").fetchall()
        values: dict[str, Any] = {"site": site, "entity": "ticket", "entity_id": ticket_id,
                                  "payload": json.dumps(payload, ensure_ascii=False),
                                  "created_at": "2026-11-25T02:00:00.000+00:00"}
        for _cid, name, _type, notnull, default, pk in columns:
            if name not in values and notnull and default is None and not pk:
                values[name] = "tester"
        raw.execute(f"INSERT INTO changes ({', '.join(values)}) "
                    f"VALUES ({', '.join('?' * len(values))})", list(values.values()))


def rows(site: Site, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        return raw.execute(query, params).fetchall()
