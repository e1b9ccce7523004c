"""The export carries the node times (受理, 转办, 办结, 回访, 归档) and the 办理时限 in force at
办结, rebuilt from the history: a hand-built ticket (transferred, closed late, its deadline
moved after that 办结, sent back by an unsatisfied 回访, closed again, called back, archived)
exported to CSV and XLSX with every node time checked exactly, read in one query."""

from __future__ import annotations

import csv
from contextlib import AbstractContextManager
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import event

from seat_console.config import DeadlineConfig, SHIPPED_KB_DATA
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.lifecycle import apply, record_callback, transition
from seat_console.core.models import Ticket
from seat_console.core.node_times import NODE_COLUMNS, node_times

from tests.test_ticket_cli import run
from tests.test_workflow import stored

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())
DISPATCH = {"department": "市生态环境局", "dispatch_opinion": "请核实噪音来源并处理"}
D1 = "2026-11-06T17:30:00.000+08:00"  # set by 转办
D1_MOVED = "2026-11-20T17:30:00.000+08:00"  # moved after the first 办结: not in force at it
D2 = "2026-11-13T17:30:00.000+08:00"  # set by 退回重办


def at(moment: str) -> AbstractContextManager[None]:
    return clock.travel(f"{moment}:00+08:00", frozen=True)


def full_history(db: Database) -> Ticket:
    with at("2026-11-02T09:00"):
        ticket = stored(db)
    with at("2026-11-02T10:15"):
        transition(db, ticket.id, "transferred", actor="8001", deadline=D1, **DISPATCH)
    with at("2026-11-03T08:40"):
        transition(db, ticket.id, "in_progress", actor="center")
    with at("2026-11-09T15:05"):  # late: after D1
        transition(db, ticket.id, "closed", actor="center", reply="已协调施工方停止夜间作业")
    with at("2026-11-09T16:00"):  # a change of the deadline after that 办结
        apply(db, ticket.id, actor="center", action="center_update", deadline=D1_MOVED)
    with at("2026-11-10T09:30"):
        record_callback(db, ticket.id, actor="8003", satisfaction="不满意", reason="处办时间过长",
                        first_contacted="否", new_deadline=D2)
    with at("2026-11-11T11:11"):
        transition(db, ticket.id, "in_progress", actor="center")
    with at("2026-11-12T16:20"):
        transition(db, ticket.id, "closed", actor="center", reply="已责令整改并复查")
    with at("2026-11-13T10:45"):
        record_callback(db, ticket.id, actor="8003", satisfaction="满意", first_contacted="是")
    with at("2026-11-16T09:05"):
        transition(db, ticket.id, "archived", actor="8003")
    return ticket


EXPECTED = {
    "受理时间": "2026-11-02 09:00",
    "转办时间": "2026-11-02 10:15",
    "办结时间": "2026-11-09 15:05",
    "办结时办理时限": "2026-11-06 17:30",
    "最后办结时间": "2026-11-12 16:20",
    "最后办结时办理时限": "2026-11-13 17:30",
    "回访时间": "2026-11-10 09:30",
    "最后回访时间": "2026-11-13 10:45",
    "归档时间": "2026-11-16 09:05",
    "办理时限": "2026-11-13 17:30",  # the ticket's current one
    "回访结果": "满意",
    "先行联系": "是",
    "状态": "已归档",
}
# Closed during the call (直接答复): 办结 at 受理, no deadline, no 转办 or 回访.
DIRECT = {"转办时间": "", "办结时间": "2026-11-04 14:00", "办结时办理时限": "",
          "最后办结时间": "2026-11-04 14:00", "最后办结时办理时限": "", "回访时间": "",
          "最后回访时间": "", "归档时间": "", "先行联系": ""}
# Only accepted: no node after 受理.
OPEN = {name: "" for name in NODE_COLUMNS.values()}


def build(db: Database) -> tuple[Ticket, Ticket, Ticket, Ticket]:
    ticket = full_history(db)
    with at("2026-11-04T14:00"):
        direct = stored(db, request_type="consult", content="咨询社保", disposition="direct_answer",
                        reply="已告知办理流程")
    with at("2026-11-05T08:00"):
        waiting = stored(db, content="路灯不亮")
    with at("2026-11-05T08:30"):  # 转办 during the call: the 转办 node is the 受理
        dispatched = stored(db, content="井盖丢失", disposition="transfer", **DISPATCH)
    return ticket, direct, waiting, dispatched


def rows_by_number(header: list[str], rows: list[list[str]]) -> dict[str, dict[str, str]]:
    return {row[header.index("工单编号")]: dict(zip(header, row)) for row in rows}


def check(by_number: dict[str, dict[str, str]],
          tickets: tuple[Ticket, Ticket, Ticket, Ticket]) -> None:
    ticket, direct, waiting, dispatched = tickets
    row = by_number[ticket.number]
    assert {name: row[name] for name in EXPECTED} == EXPECTED
    assert {name: by_number[direct.number][name] for name in DIRECT} == DIRECT
    assert by_number[direct.number]["状态"] == "已办结"
    assert {name: by_number[waiting.number][name] for name in OPEN} == OPEN
    assert by_number[waiting.number]["受理时间"] == "2026-11-05 08:00"
    row = by_number[dispatched.number]
    assert (row["受理时间"], row["转办时间"], row["办结时间"]) == (
        "2026-11-05 08:30", "2026-11-05 08:30", "")
    assert row["办理时限"] == clock.short_time(str(dispatched.deadline))


def test_node_times_of_a_hand_built_history_in_csv_and_xlsx(db: Database, tmp_path: Path) -> None:
    tickets = build(db)
    assert run(["export", "--format", "csv", "--out", "t.csv"], tmp_path).returncode == 0
    assert run(["export", "--format", "xlsx", "--out", "t.xlsx"], tmp_path).returncode == 0
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *csv_rows = list(csv.reader(handle))
    for name in NODE_COLUMNS.values():
        assert header.count(name) == 1, name
    assert header.count("受理时间") == 1 and header[-len(NODE_COLUMNS):] == list(
        NODE_COLUMNS.values())
    check(rows_by_number(header, csv_rows), tickets)

    sheet = load_workbook(tmp_path / "t.xlsx").active
    values = [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]
    assert values[0] == header
    check(rows_by_number(values[0], values[1:]), tickets)
    for row in sheet.iter_rows(min_row=2):
        # stamps are text, like every cell (an empty cell is not stored at all)
        assert all(cell.data_type == "s" for cell in row if cell.value is not None)


def test_node_times_are_read_in_one_query_and_in_version_order(db: Database) -> None:
    ticket = full_history(db)
    others = []
    for i in range(30):
        with at(f"2026-11-05T{8 + i // 10:02d}:{i % 10:02d}"):
            other = stored(db, content=f"诉求{i}")
        transition(db, other.id, "closed", actor="center")
        others.append(other)
    statements: list[str] = []
    with db.read() as session:
        engine = session.get_bind()

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", seen)
        try:
            times = node_times(session)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "ticket_event" in s]) == 1, statements
    assert len(times) == 31 and all(times[o.id].first_closed_at for o in others)
    mine = times[ticket.id]
    assert (mine.first_closed_at, mine.deadline_at_first_close) == (
        "2026-11-09T15:05:00.000+08:00", D1)
    assert (mine.last_closed_at, mine.deadline_at_last_close) == (
        "2026-11-12T16:20:00.000+08:00", D2)
    assert mine.first_callback_at == "2026-11-10T09:30:00.000+08:00"
    assert mine.last_callback_at is None  # the ticket row's: with_ticket adds it


def test_confidential_ticket_keeps_its_node_times_and_its_masking(db: Database,
                                                                  tmp_path: Path) -> None:
    with at("2026-11-02T09:00"):
        ticket = stored(db, confidential=True, content="钱女士投诉13912345678楼上噪音")
    with at("2026-11-02T09:30"):
        transition(db, ticket.id, "transferred", actor="8001", deadline=D1, **DISPATCH)
    with at("2026-11-05T10:00"):
        transition(db, ticket.id, "closed", actor="center")
    assert run(["export", "--format", "csv", "--out", "t.csv"], tmp_path).returncode == 0
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    for secret in ("钱女士", "13912345678", "北站路1号"):
        assert secret not in text
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    got = dict(zip(header, row))
    assert (got["转办时间"], got["办结时间"], got["办结时办理时限"]) == (
        "2026-11-02 09:30", "2026-11-05 10:00", "2026-11-06 17:30")
