"""Citizen and KB text is data, never markup, never a terminal control sequence.

Tickets arrive from other channels (`seat-console ticket add`) and KB articles from files, so
every text field below holds Rich/Textual markup, ANSI escapes, other control characters and
right-to-left marks. Every view of the real console must stay up, show the markup literally and
draw none of the control characters (they show as visible stand-ins: ESC as ␛)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, OptionList, Static

from seat_console.core.drafts import save_draft, slot_for
from seat_console.core.intake import REQUIRED, from_json
from seat_console.core.kb.loader import load_kb
from seat_console.core.kb.store import import_records
from seat_console.core.lifecycle import transition
from seat_console.core.models import Ticket
from seat_console.core.plain_text import printable
from seat_console.core.tickets import submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.article_reader import ArticleReader
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.screens.due_screen import TicketListScreen
from seat_console.tui.screens.inquiry_screen import InquiryScreen
from seat_console.tui.widgets.caller_pane import CallerPane

from .console_driver import type_text, wait_until
from .hostile_screen import CONTROL, drawn_controls, screen_text

MARKUP = "[/bold][link=x]点[/link][red]红[B]粗[$accent]\\[i]"
CONTROLS = "\x1b[31m\x1b]0;title\x07\x00\x01\x08\x0b\x1f\x7f\x9b\u202e\u200f"
HOSTILE = MARKUP + CONTROLS  # the markup first: it is what a narrow column still shows
PHONE = "13912340000"
KB_ID = "kb-hostile-0001"
TITLE_WORD = "奇异测试标题"


def hostile_ticket(workspace: Workspace) -> Ticket:
    """A ticket the way `seat-console ticket add` stores one (intake.from_json + submit)."""
    data = {"phone": PHONE, "caller_name": "张" + CONTROLS[:6] + "[/bold]",
            "address": "和平区" + HOSTILE, "request_type": "投诉", "channel": "网站",
            "demand": "噪音" + HOSTILE + "楼上装修", "details": "经过" + HOSTILE,
            "situation": "现状" + HOSTILE, "location": "地点" + HOSTILE,
            "occurred_at": "昨晚" + CONTROLS + "[/bold]"}  # 事发时间 holds at most 40 characters
    form, department = from_json(json.loads(json.dumps(data)), workspace.taxonomy)
    ticket = submit(workspace.db, form, site_code="210102", agent_id="8001", draft_slot=None,
                    deadlines=workspace.deadlines, required=REQUIRED, department=department)
    assert MARKUP in ticket.content and "\x1b" in ticket.content  # stored as it came
    return ticket


def hostile_article(workspace: Workspace, tmp_path: Path) -> None:
    record = {"id": KB_ID, "title": TITLE_WORD + HOSTILE, "body": "答复" + HOSTILE + "\n第二行",
              "keywords": [TITLE_WORD, "关键" + HOSTILE], "category": "分类" + HOSTILE,
              "department": "部门" + HOSTILE}
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = load_kb([path])
    assert not result.errors and len(result.records) == 1
    import_records(workspace.db, result)


def assert_safe(app: SeatConsoleApp, *literals: str) -> str:
    """The console is up, shows `literals` on screen and draws no control character."""
    assert app.is_running
    shown = screen_text(app)
    for literal in literals:
        assert literal in shown, f"{literal!r} not on screen:\n{shown}"
    assert drawn_controls(app) == []
    return shown


async def test_caller_history_of_a_hostile_ticket(workspace: Workspace) -> None:
    ticket = hostile_ticket(workspace)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+n")
        await type_text(pilot, PHONE)
        await pilot.press("enter")
        pane = app.screen.query_one(CallerPane)
        await wait_until(pilot, lambda: pane.history_table.row_count == 1)
        await pilot.pause()
        row = pane.history_table.get_row_at(0)
        assert str(row[0]) == ticket.number
        # The literal markup in the cell; the controls as visible stand-ins, one for one.
        assert str(row[4]) == printable(ticket.content, one_line=True)[:60]
        summary = str(app.screen.query_one("#caller-summary", Static).render())
        assert "张␛[31m␛[/bold]" in summary
        assert_safe(app, "噪音[/bold]", "张␛[31m␛[/bold]", "地址 和平区[/bold][link=x]")
        assert not CONTROL.search(str(row[4]))


async def test_due_list_and_inquiry_of_a_hostile_ticket(workspace: Workspace) -> None:
    ticket = hostile_ticket(workspace)
    transition(workspace.db, ticket.id, "transferred", actor="8001",
               department="市城市管理综合行政执法局", dispatch_opinion="请核查" + HOSTILE,
               deadline="2026-01-05T17:30:00.000+08:00")  # long past: listed as 已超期
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketListScreen))
        await pilot.pause()
        row = app.screen.query_one(DataTable).get_row_at(0)
        assert row[1] == ticket.number and str(row[4]).startswith("张␛[31m")
        assert_safe(app, ticket.number, "[/bold]")
        await pilot.press("escape")
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, InquiryScreen))
        await type_text(pilot, PHONE)
        await pilot.press("enter")
        result = app.screen.query_one("#inquiry-result", Static)
        await wait_until(pilot, lambda: ticket.number in str(result.render()))
        await pilot.pause()
        shown = str(result.render())
        assert "张␛[31m␛[/bold]" in shown and not CONTROL.search(shown)
        assert_safe(app, ticket.number, "张␛[31m␛[/bold]")


async def test_kb_hit_reader_and_adopted_answer_of_a_hostile_article(
        workspace: Workspace, tmp_path: Path) -> None:
    hostile_article(workspace, tmp_path)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        hits = app.screen.query_one("#kb-hits", OptionList)
        await pilot.press("f3")
        await type_text(pilot, TITLE_WORD, burst=3)
        await wait_until(pilot, lambda: hits.option_count > 0
                         and hits.get_option_at_index(0).id == KB_ID)
        await pilot.pause()
        prompt = hits.get_option_at_index(0).prompt
        assert str(prompt).startswith(TITLE_WORD + MARKUP) and not CONTROL.search(str(prompt))
        assert_safe(app, TITLE_WORD + "[/bold][link=x]")
        await pilot.press("enter")  # Enter in the query box: to the hits
        await pilot.press("enter")  # open the highlighted hit
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleReader))
        await pilot.pause()
        body = str(app.screen.query_one("#article-body", Static).render())
        assert body.startswith("答复" + MARKUP + "␛[31m␛]0;title␇␀") and body.endswith("第二行")
        assert_safe(app, "答复[/bold][link=x]点[/link][red]红[B]粗[$accent]")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ArticleReader))
        await pilot.press("ctrl+r")  # adopt the answer: a toast quotes the title
        await wait_until(pilot, lambda: any(n.title == "直接答复" for n in app._notifications))
        await pilot.pause()
        await pilot.pause()
        note = next(n for n in app._notifications if n.title == "直接答复")
        assert MARKUP in note.message and not CONTROL.search(note.message)
        assert_safe(app, "[/bold][link=x]")


async def test_draft_recovery_dialog_shows_a_hostile_draft_literally(workspace: Workspace) -> None:
    save_draft(workspace.db, slot_for(workspace.config.agent.id),
               {"caller_name": "张" + CONTROLS[:6] + "[/bold]", "caller_phone": PHONE,
                "content": "噪音" + HOSTILE, "course": "经过" + HOSTILE, "channel": "phone"},
               None)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DraftRecoveryDialog))
        await pilot.pause()
        preview = str(app.screen.query_one("#draft-preview", Static).render())
        assert "诉求内容:噪音[/bold][link=x]点[/link][red]红[B]粗[$accent]" in preview
        assert "经过:经过[/bold]" in preview and not CONTROL.search(preview)
        assert_safe(app, "诉求内容:噪音[/bold][link=x]")
