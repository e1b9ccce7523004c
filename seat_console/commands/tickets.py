"""`seat-console ticket add | list | show | export`: other channels, integrations and audits."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from seat_console.commands.phrases import utf8_stdio
from seat_console.config import Config
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.event_text import describe
from seat_console.core.intake import REQUIRED, from_json, json_errors
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.plain_text import printable
from seat_console.core.taxonomy import load_taxonomy
from seat_console.core.ticket_codes import STATUS_LABELS
from seat_console.core.ticket_view import COLUMNS, labelled, masked, masked_event
from seat_console.core.tickets import Invalid, submit
from seat_console.core.workspace import open_store

INVALID_EXIT = 2


def _out(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _add_one(db: Database, config: Config, data: Any, policy: DeadlinePolicy, taxonomy) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    form, department = from_json(data, taxonomy)
    ticket = submit(db, form, site_code=config.site_code, agent_id=config.agent.id,
                    draft_slot=None, deadlines=policy, required=REQUIRED, department=department)
    return masked(ticket, taxonomy)


def add(args: argparse.Namespace, config: Config) -> int:
    """One JSON ticket on stdin (--batch: JSON Lines, one answer a line)."""
    utf8_stdio()
    db = open_store(config)[0]
    policy = DeadlinePolicy(load_calendar(config.kb_data), config.deadlines)
    taxonomy = load_taxonomy(config.kb_data)
    lines = sys.stdin if args.batch else [sys.stdin.read()]
    failed = False
    for number, line in enumerate(lines, start=1):
        if args.batch and not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            answer: dict[str, Any] = {"errors": {"json": f"不是有效的JSON:{exc.msg}(第{exc.colno}列)"}}
        else:
            try:
                answer = _add_one(db, config, data, policy, taxonomy)
            except Invalid as invalid:
                answer = {"errors": json_errors(invalid)}
        if args.batch:
            answer = {"line": number, **answer} if "errors" in answer else answer
        failed = failed or "errors" in answer
        if args.json or args.batch:
            _out(answer)
        elif "errors" in answer:
            for field, message in answer["errors"].items():
                print(f"{field}: {message}", file=sys.stderr)
        else:
            print(f"已受理 {answer['number']}  状态 {STATUS_LABELS[answer['status']]}  "
                  f"办理时限 {answer['deadline'] or '—'}")
    return INVALID_EXIT if failed else 0


def _find(db: Database, number: str) -> Ticket | None:
    with db.read() as session:
        return session.exec(select(Ticket).where(Ticket.number == number)).first()


def list_(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    db = open_store(config)[0]
    query = select(Ticket).order_by(col(Ticket.created_at).desc())
    if args.status:
        query = query.where(Ticket.status == args.status)
    with db.read() as session:
        tickets = list(session.exec(query).all())
    taxonomy = load_taxonomy(config.kb_data) if tickets else None
    rows = [masked(t, taxonomy) for t in tickets]
    if args.json:
        _out(rows)
        return 0
    for row in rows:
        view = labelled(row)
        print(printable(f"{row['number']}  {view['status']:<4} {view['request_type']}  "
                        f"{row['caller_name']:<6} {row['caller_phone']:<13} "
                        f"时限 {view['deadline'] or '—':<16} {row['content'][:30]}", one_line=True))
    print(f"{len(rows)} ticket(s)")
    return 0


def show(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    db = open_store(config)[0]
    ticket = _find(db, args.number)
    if ticket is None:
        print(f"seat-console: error: no ticket {args.number}", file=sys.stderr)
        return 1
    with db.read() as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(col(TicketEvent.id))).all()
    taxonomy = load_taxonomy(config.kb_data)
    data = {**masked(ticket, taxonomy), "events": [masked_event(e, ticket) for e in events]}
    if args.json:
        _out(data)
        return 0
    view = labelled(data)
    for field, header in COLUMNS.items():
        if view.get(field) not in (None, "", []):
            print(printable(f"{header}:{view[field]}"))  # no control sequence reaches the tty
    print("历史:")
    for event in events:  # in Chinese, codes by their labels, masked like the rest
        said = describe(event, ticket, taxonomy)
        print(printable(f"  {clock.short_time(event.at)}  {event.actor}  {said.action}  "
                        f"{said.summary[:200]}", one_line=True))
    return 0


def export(args: argparse.Namespace, config: Config) -> int:
    db = open_store(config)[0]
    with db.read() as session:
        tickets = list(session.exec(select(Ticket).order_by(col(Ticket.created_at))).all())
    taxonomy = load_taxonomy(config.kb_data)  # 诉求领域 by name ("环境噪音/施工噪音"), not code
    rows = [labelled(masked(t, taxonomy)) for t in tickets]
    out = Path(args.out)
    if args.format == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
            writer = csv.writer(handle)
            writer.writerow(COLUMNS.values())
            for row in rows:
                writer.writerow([row.get(field, "") for field in COLUMNS])
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "工单"
        sheet.append(list(COLUMNS.values()))
        for row in rows:
            sheet.append([str(row.get(field, "") if row.get(field) is not None else "")
                          for field in COLUMNS])
        book.save(out)
    print(f"exported {len(rows)} ticket(s) to {out}")
    return 0
