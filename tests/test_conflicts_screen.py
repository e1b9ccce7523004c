"""The 同步冲突 screen (Ctrl+K): per conflict the agent keeps the center's value (applied here,
nothing sent, audited) or re-sends the site's (a new op on the current version, audited)."""

from __future__ import annotations

from sqlmodel import col, select
from textual.widgets import DataTable

from seat_console.core.models import OutboxOp, SyncIssue, Ticket, TicketEvent
from seat_console.core.sync.issues import conflict_count
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.conflicts_screen import ConflictsScreen

from .console_driver import wait_until


def conflicted_ticket(workspace: Workspace) -> Ticket:
    """A ticket whose department and 派单意见 the center and the site changed at once; the
    pull already brought the center's values (as after a real round)."""
    db = workspace.db
    ticket = submit(db, TicketInput(caller_phone="13912345678", request_type="consult",
                                    caller_name="张三",
                                    content="路灯不亮", demand="修好路灯", channel="sms"),
                    site_code="210102", agent_id="8001", draft_slot=None)
    with db.write() as session:
        stored = session.get(Ticket, ticket.id)
        assert stored is not None
        stored.department, stored.dispatch_opinion, stored.version = "市生态环境局", "请核查", 3
        session.add(stored)
        for field, site_value, center_value in (("department", "市城管局", "市生态环境局"),
                                                ("dispatch_opinion", "请尽快处理", "请核查")):
            session.add(SyncIssue(at="2026-11-25T10:00:00.000+08:00", entity="ticket",
                                  entity_id=ticket.id, op_id="op-1", kind="conflict",
                                  detail="center changed it", ticket_number=ticket.number,
                                  field=field, site_value=site_value, center_value=center_value))
    return ticket


async def test_the_agent_keeps_the_center_value_or_resends_their_own(workspace: Workspace) -> None:
    ticket = conflicted_ticket(workspace)
    db = workspace.db
    with db.read() as session:
        ops_before = len(session.exec(select(OutboxOp)).all())
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+k")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        screen = app.screen
        table = screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[:4] == [ticket.number, "承办单位", "市城管局", "市生态环境局"]

        await pilot.press("c")  # keep the center's department
        await wait_until(pilot, lambda: table.row_count == 1)
        assert "已采用中心值" in str(screen.query_one("#conflicts-outcome").render())
        await pilot.press("r")  # re-send our 派单意见
        await wait_until(pilot, lambda: table.row_count == 0)
        assert "已重新提交本站值" in str(screen.query_one("#conflicts-outcome").render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConflictsScreen))
    assert conflict_count(db) == 0
    with db.read() as session:
        stored = session.get(Ticket, ticket.id)
        assert stored is not None
        assert (stored.department, stored.dispatch_opinion, stored.version) == \
            ("市生态环境局", "请尽快处理", 4)
        ops = session.exec(select(OutboxOp).order_by(col(OutboxOp.seq))).all()
        assert len(ops) == ops_before + 1  # keeping the center's value sends nothing
        assert (ops[-1].op, ops[-1].base_version, ops[-1].payload) == \
            ("update", 3, {"dispatch_opinion": "请尽快处理", "updated_at": stored.updated_at})
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(col(TicketEvent.id))).all()
        assert [(e.action, e.actor) for e in events[-2:]] == [("conflict_keep_center", "8001"),
                                                              ("conflict_resend", "8001")]
        resolutions = session.exec(select(SyncIssue.field, SyncIssue.resolution)
                                   .order_by(SyncIssue.field)).all()
        assert list(resolutions) == [("department", "keep_center"),
                                     ("dispatch_opinion", "resend_site")]


async def test_the_palette_lists_the_conflicts_screen(workspace: Workspace) -> None:
    from seat_console.tui.app import PALETTE

    assert any(action == "action_conflicts" for _, _, action in PALETTE)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        app.console_screen.action_conflicts()
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "没有待处理的冲突" in str(app.screen.query_one("#conflicts-title").render())
