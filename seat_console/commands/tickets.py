"""`seat-console ticket add | list | show | callback | export`: other channels, integrations and
audits."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from typing import Any

from sqlmodel import col, select

from seat_console.commands.json_lines import print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.errors import SeatConsoleError
from seat_console.core.event_text import describe
from seat_console.core.intake import REQUIRED, from_json, json_errors
from seat_console.core.lifecycle import WorkflowRefused, record_callback
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.node_times import NODE_COLUMNS, NodeTimes, node_times, with_ticket
from seat_console.core.plain_text import printable
from seat_console.core.private_files import create_private
from seat_console.core.spreadsheet import safe_cell
from seat_console.core.taxonomy import Taxonomy, load_taxonomy
from seat_console.core.ticket_codes import STATUS_LABELS
from seat_console.core.ticket_view import COLUMNS, labelled, masked, masked_event
from seat_console.core.tickets import AlreadyStored, Invalid, submit
from seat_console.core.workspace import open_store

log = logging.getLogger(__name__)
INVALID_EXIT = 2


def _add_one(db: Database, config: Config, data: Any, policy: DeadlinePolicy,
             taxonomy: Taxonomy) -> dict[str, Any]:
    form, department = from_json(data, taxonomy)
    try:
        ticket = submit(db, form, site_code=config.site_code, agent_id=config.agent.id,
                        draft_slot=None, deadlines=policy, required=REQUIRED,
                        department=department)
    except AlreadyStored as stored:  # a re-run after a kill: the first answer, once more
        log.info("ticket add: external_id already stored number=%s", stored.ticket.number)
        return {**masked(stored.ticket, taxonomy), "duplicate": True}
    return masked(ticket, taxonomy)


def _parse(line: str) -> tuple[Any, dict[str, str] | None]:
    """(the JSON value, None) or (None, errors): any input, never an exception."""
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, {"json": f"不是有效的JSON:{exc.msg}(第{exc.colno}列)"}
    except RecursionError:
        return None, {"json": "JSON嵌套层数过多"}
    except ValueError:  # e.g. an integer of more digits than Python converts
        return None, {"json": "不是有效的JSON:数值过大"}


def _answer(db: Database, config: Config, line: str, policy: DeadlinePolicy,
            taxonomy: Taxonomy) -> dict[str, Any]:
    data, errors = _parse(line)
    if errors:
        return {"errors": errors}
    try:
        return _add_one(db, config, data, policy, taxonomy)
    except Invalid as invalid:
        return {"errors": json_errors(invalid)}
    except SeatConsoleError:
        raise  # the database cannot be used: main() says why, once
    except Exception as exc:  # noqa: BLE001  (one bad line never stops a batch; no data logged)
        log.error("ticket add: line refused by an internal error %s", type(exc).__name__)
        return {"errors": {"ticket": "内部错误,无法受理"}}


def add(args: argparse.Namespace, config: Config) -> int:
    """One JSON ticket on stdin (--batch: JSON Lines, one answer a line). A line whose
    external_id is stored already answers the stored ticket with "duplicate": true."""
    utf8_stdio()
    db = open_store(config)[0]
    policy = DeadlinePolicy(load_calendar(config.kb_data), config.deadlines)
    taxonomy = load_taxonomy(config.kb_data)
    lines = sys.stdin if args.batch else [sys.stdin.read()]
    failed = False
    for number, line in enumerate(lines, start=1):
        if args.batch and not line.strip():
            continue
        answer = _answer(db, config, line, policy, taxonomy)
        if args.batch:
            answer = {"line": number, **answer} if "errors" in answer else answer
        failed = failed or "errors" in answer
        if args.json or args.batch:
            print_json(answer)
        elif "errors" in answer:
            for field, message in answer["errors"].items():
                print(printable(f"{field}: {message}", one_line=True), file=sys.stderr)
        else:
            said = "已存在(external_id 重复,未重复受理)" if answer.get("duplicate") else "已受理"
            print(f"{said} {answer['number']}  状态 {STATUS_LABELS[answer['status']]}  "
                  f"办理时限 {answer['deadline'] or '—'}")
    return INVALID_EXIT if failed else 0


def _find(db: Database, number: str) -> Ticket | None:
    with db.read() as session:
        return session.exec(select(Ticket).where(Ticket.number == number)).first()


def _no_ticket(number: str) -> int:
    print(printable(f"seat-console: error: no ticket {number}", one_line=True), file=sys.stderr)
    return 1


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
        print_json(rows)
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
        return _no_ticket(args.number)
    with db.read() as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(col(TicketEvent.id))).all()
    taxonomy = load_taxonomy(config.kb_data)
    data = {**masked(ticket, taxonomy), "events": [masked_event(e, ticket) for e in events]}
    if args.json:
        print_json(data)
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


def callback(args: argparse.Namespace, config: Config) -> int:
    """回访 recorded outside the console (an outbound-call or IVR system): the result, the reason
    of 不满意 (which sends the ticket back with a new handling deadline, as in the console) and
    the answer to 承办单位是否先行联系您 (--first-contacted; left out: not asked)."""
    utf8_stdio()
    db = open_store(config)[0]
    ticket = _find(db, args.number)
    if ticket is None:
        return _no_ticket(args.number)
    new_deadline = None
    if args.satisfaction == "不满意":
        policy = DeadlinePolicy(load_calendar(config.kb_data), config.deadlines)
        new_deadline = policy.handling_deadline(ticket.request_type, clock.now()).isoformat(
            timespec="milliseconds")
    try:
        done = record_callback(db, ticket.id, actor=config.agent.id,
                               satisfaction=args.satisfaction, reason=args.reason or "",
                               first_contacted=args.first_contacted or "",
                               new_deadline=new_deadline)
    except WorkflowRefused as refused:
        print(printable(f"seat-console: error: {refused}", one_line=True), file=sys.stderr)
        return INVALID_EXIT
    if args.json:
        print_json(masked(done, load_taxonomy(config.kb_data)))
        return 0
    said = f"已记录回访 {done.number}:{done.satisfaction}"
    if done.dissatisfaction_reason:
        said += f"({done.dissatisfaction_reason}),工单退回重办"
    said += f"  先行联系 {done.first_contacted or '未回答'}  状态 {STATUS_LABELS[done.status]}"
    print(printable(said, one_line=True))
    return 0


# Export columns after those of ticket_view.COLUMNS: the 回访 answer to 先行联系, then the node
# times rebuilt from the history (core/node_times.py).
EXPORT_EXTRA = {"first_contacted": "先行联系", **NODE_COLUMNS}


def _stamp(value: str | None) -> str:
    return clock.short_time(value) if value else ""  # as labelled() writes the other stamps


def _export_row(ticket: Ticket, times: NodeTimes | None, taxonomy: Taxonomy) -> list[str]:
    view = labelled(masked(ticket, taxonomy))
    nodes = with_ticket(times, ticket.callback_at)
    return [*(safe_cell(view.get(field)) for field in COLUMNS),
            safe_cell(ticket.first_contacted),
            *(safe_cell(_stamp(nodes.value(name))) for name in NODE_COLUMNS)]


def export(args: argparse.Namespace, config: Config) -> int:
    """Every ticket, masked, to an owner-only file; no cell a spreadsheet would run. With the
    node times (转办, 办结, 回访, 归档 and the 办理时限 in force at 办结) from the history, read
    in one query for all tickets."""
    db = open_store(config)[0]
    with db.read() as session:  # one read transaction: the tickets and their history agree
        tickets = list(session.exec(select(Ticket).order_by(col(Ticket.created_at))).all())
        history = node_times(session)
    taxonomy = load_taxonomy(config.kb_data)  # 诉求领域 by name ("环境噪音/施工噪音"), not code
    headers = [*COLUMNS.values(), *EXPORT_EXTRA.values()]
    rows = [_export_row(t, history.get(t.id), taxonomy) for t in tickets]
    out = create_private(args.out)  # citizens' data: 0600 before a byte is written
    if args.format == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "工单"
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"  # text, never a formula
        book.save(out)
    print(printable(f"exported {len(rows)} ticket(s) to {out}", one_line=True))
    return 0
