"""SVG snapshots of the real console (pytest-textual-snapshot): every screen and dialog at the
standard (120x36) and the compact (80x24) size, so a field that vanished or a warning drawn
off-screen fails a test.

Update after an intended change of the screen, then look at the SVGs before committing:
    .venv/bin/pytest tests/test_snapshots.py --snapshot-update

Deterministic by construction: the clock stands still (status bar clock, call timer, 草稿已保存
HH:MM:SS, deadlines), the typing meter reads that same frozen clock, every text cursor is steady
(blink off), and each screenshot waits until workers, autosave and checks have settled. The
database and config are the per-test ones of conftest.py (tmp_path).

Snapshot tests are plain `def` tests (the plugin runs the app in its own event loop).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea
from textual.worker import WorkerState

from seat_console.commands.drill_console import open_drill_workspace
from seat_console.config import Config
from seat_console.core import clock
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.scenario import find_scenario
from seat_console.core.drafts import save_draft, slot_for
from seat_console.core.kb.store import get_article
from seat_console.core.lifecycle import transition
from seat_console.core.models import Ticket
from seat_console.core.referrals import plan_referral
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.typing_meter import TypingMeter
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.drill_app import DrillConsoleApp
from seat_console.tui.screens.article_reader import ArticleReader
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.confirm_dialog import ConfirmDialog
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.screens.drill_console_screen import DrillConsoleScreen
from seat_console.tui.screens.drill_score_screen import DrillScoreScreen
from seat_console.tui.screens.due_screen import TicketListScreen
from seat_console.tui.screens.end_call_dialog import EndCallDialog
from seat_console.tui.screens.help_screen import HelpScreen
from seat_console.tui.screens.inquiry_screen import InquiryScreen
from seat_console.tui.screens.new_call_dialog import NewCallDialog
from seat_console.tui.screens.reminders_screen import RemindersScreen
from seat_console.tui.screens.ticket_detail_screen import TicketDetailScreen
from seat_console.tui.screens.transfer_dialog import TransferDialog
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import DrillClock, choose_request_type, type_text, wait_until

# The same instant as conftest's DEFAULT_CLOCK_AT, fixed here whatever SEAT_CONSOLE_CLOCK_AT says:
# the snapshots show it.
FROZEN_AT = "2026-11-25T10:00:00+08:00"
SIZES = {"120x36": (120, 36), "80x24": (80, 24)}
SLOT = slot_for("8001")
CALLER = "13712345678"

RunBefore = Callable[[Pilot], Awaitable[None]]


@pytest.fixture(autouse=True)
def frozen_clock(test_clock: None) -> object:
    """After conftest's running test clock: the clock stands still for the whole test."""
    with clock.travel(FROZEN_AT, frozen=True):
        yield


@pytest.fixture(params=list(SIZES.values()), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param


# -- data set up before the console starts ---------------------------------------------------
def a_ticket(workspace: Workspace, **changes: object) -> Ticket:
    values = dict(caller_name="冯先生", caller_phone="13611112222", caller_address="大东区小河沿路5号",
                  request_type="complaint", content="工地夜间施工扰民,晚上十一点还在打桩")
    values.update(changes)
    return submit(workspace.db, TicketInput(**values), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=workspace.deadlines)


# -- waiting for a steady screen -------------------------------------------------------------
def console(pilot: Pilot) -> ConsoleScreen:
    return pilot.app.console_screen  # type: ignore[attr-defined,no-any-return]


async def workers_done(pilot: Pilot) -> None:
    """No worker pending or running. (workers.wait_for_complete() raises WorkerCancelled when
    an exclusive worker, e.g. the repeat check, was replaced by a newer one.)"""
    await wait_until(pilot, lambda: not any(
        worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in pilot.app.workers))


async def settle(pilot: Pilot) -> None:
    """Wait until nothing on screen changes any more, then turn every text cursor steady."""
    app = pilot.app
    screen = console(pilot)
    kb_status = screen.query_one("#kb-status", Static)
    await wait_until(pilot, lambda: "加载中" not in str(kb_status.render()))
    status = screen.query_one(StatusBar)
    if not isinstance(app.screen, DraftRecoveryDialog):
        # Autosave has run on the last edit and its save (if any) has come back.
        await wait_until(pilot, lambda: not screen.draft.offer_pending and not screen.draft.dirty
                         and status.draft_state != "草稿未保存")
    await workers_done(pilot)
    await wait_until(pilot, lambda: not screen.draft.needs_check)  # live checks ran on it
    await pilot.pause()
    await workers_done(pilot)
    for shown in app.screen_stack:
        for widget in (*shown.query(Input), *shown.query(TextArea)):
            widget.cursor_blink = False
    await pilot.pause()


def steady_typing_meter(pilot: Pilot) -> None:
    """The 打字 N字/分 meter on the frozen clock: keys typed at one instant, so the figure
    depends on what was typed, not on how fast this machine delivered the keys."""
    console(pilot).call.meter = TypingMeter(clock=clock.timestamp)


async def started(pilot: Pilot, phone: str | None = None) -> None:
    """The console is up (and the call from `phone`, if any, has reached the form)."""
    steady_typing_meter(pilot)
    if phone:
        form = console(pilot).query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == phone)
        await workers_done(pilot)
        await pilot.pause()


def shot(steps: Callable[[Pilot], Awaitable[None]]) -> RunBefore:
    async def run_before(pilot: Pilot) -> None:
        await steps(pilot)
        await settle(pilot)
    return run_before


async def fill_form(pilot: Pilot) -> None:
    """Name, address, 诉求类型 求助 and 诉求内容, typed as an IME commits them."""
    await started(pilot, CALLER)
    await type_text(pilot, "孙先生", burst=3)
    await pilot.press("tab", "tab")
    await type_text(pilot, "南京街1号", burst=3)
    await pilot.press("tab")
    await choose_request_type(pilot, downs=2)  # 求助
    await pilot.press("tab", "tab")
    await type_text(pilot, "暖气片不热,室温14度", burst=3)


async def open_history_row(pilot: Pilot) -> None:
    """Enter on the first row of the caller's history: the ticket detail screen."""
    await started(pilot, "13611112222")
    screen = console(pilot)
    table = screen.query_one("#caller-history", DataTable)
    form = screen.query_one(TicketForm)
    await wait_until(pilot, lambda: table.row_count == 1 and form.values()["caller_name"] == "冯先生")
    # The pre-filled name does not count as an edit: the phrase phase would follow it only if
    # it came before the first autosave tick. A typed 诉求 settles the phase whatever the timing.
    screen.query_one("#content").focus()
    await type_text(pilot, "又在施工", burst=2)
    table.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, TicketDetailScreen)
                     and pilot.app.screen.ticket is not None)
    events = pilot.app.screen.query_one("#ticket-events", DataTable)
    await wait_until(pilot, lambda: events.row_count > 0)


# -- the console -----------------------------------------------------------------------------
def test_console_at_start(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(started))


def test_console_mid_call_with_filled_form(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await fill_form(pilot)
        status = console(pilot).query_one(StatusBar)
        await wait_until(pilot, lambda: status.draft_state.startswith("草稿已保存"))

    app = SeatConsoleApp(workspace, incoming_call=CALLER)
    assert snap_compare(app, terminal_size=size, run_before=shot(steps))


def test_empty_form_submitted_shows_errors(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        await pilot.press("ctrl+s")
        errors = console(pilot).query_one("#form-errors", Static)
        await wait_until(pilot, lambda: bool(str(errors.render()).strip()))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


def test_forbidden_phrase_warning(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await started(pilot, CALLER)
        screen = console(pilot)
        screen.query_one("#reply").focus()
        # "这个不归我们管" is no 服务禁语 of scripts_phrases/forbidden.yaml; 解决不了 is.
        await type_text(pilot, "这个我们解决不了", burst=2)
        warnings = screen.query_one("#phrase-warnings", Static)
        await wait_until(pilot, lambda: bool(screen.call.forbidden_hits)
                         and bool(str(warnings.render()).strip()))

    app = SeatConsoleApp(workspace, incoming_call=CALLER)
    assert snap_compare(app, terminal_size=size, run_before=shot(steps))


def test_new_call_dialog(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, NewCallDialog))
        await type_text(pilot, "1371234")

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


def test_draft_recovery_dialog(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    typed = {"caller_name": "孙先生", "caller_phone": CALLER, "caller_address": "和平区南京街1号",
             "request_type": "help", "content": "家里暖气片一直不热\n室温只有十四度",
             "channel": "phone", "urgency": "normal"}
    with clock.travel("2026-11-25T09:42:10+08:00", frozen=True):
        save_draft(workspace.db, SLOT, typed, "2026-11-25T09:30:00.000+08:00")

    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, DraftRecoveryDialog))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


def test_end_call_dialog(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await started(pilot, CALLER)
        await type_text(pilot, "孙先生", burst=3)
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EndCallDialog))

    app = SeatConsoleApp(workspace, incoming_call=CALLER)
    assert snap_compare(app, terminal_size=size, run_before=shot(steps))


def test_f12_urge_confirm(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    """A repeat call: the earlier open ticket from this number, F12 asks before 催办."""
    a_ticket(workspace, caller_name="卫女士", caller_phone="13533334444",
             caller_address="皇姑区岐山路9号", content="小区门口垃圾站臭味太大,夏天苍蝇多")

    async def steps(pilot: Pilot) -> None:
        await started(pilot, "13533334444")
        screen = console(pilot)
        form = screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_name"] == "卫女士")
        screen.query_one("#content").focus()
        await type_text(pilot, "垃圾站臭味太大", burst=3)
        await wait_until(pilot, lambda: bool(screen.call.similar))
        await pilot.press("f12")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))

    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    assert snap_compare(app, terminal_size=size, run_before=shot(steps))


def test_inquiry_ctrl_f(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    ticket = a_ticket(workspace)

    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, InquiryScreen))
        await type_text(pilot, ticket.caller_phone, burst=4)
        await pilot.press("enter")
        result = pilot.app.screen.query_one("#inquiry-result", Static)
        await wait_until(pilot, lambda: ticket.number in str(result.render()))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


def test_due_list_f10(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    overdue = a_ticket(workspace)
    transition(workspace.db, overdue.id, "transferred", actor="8001",
               department="市城市管理综合行政执法局", dispatch_opinion="请核查夜间施工许可并处理",
               deadline="2026-11-20T17:30:00.000+08:00")
    a_ticket(workspace, caller_name="赵女士", caller_phone="13900001111", request_type="help",
             caller_address="铁西区兴华街3号", content="楼道灯坏了一个月没人修")

    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        status = console(pilot).query_one(StatusBar)
        await wait_until(pilot, lambda: status.due[1] == 1)
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, TicketListScreen))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


def test_reminders_f9(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    """A referral made an hour ago: the enterprise callback is overdue."""
    with clock.travel(clock.now() - timedelta(hours=1), frozen=True):
        entry = get_article(workspace.db, "dir-0001")
        assert entry is not None
        a_ticket(workspace, caller_name="周女士", caller_phone="13812345678", request_type="help",
                 caller_address="皇姑区黄河大街1号", content="家门钥匙丢了进不去门",
                 referral=plan_referral(entry, workspace.referral_rules))

    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        status = console(pilot).query_one(StatusBar)
        await wait_until(pilot, lambda: status.reminders == 1)
        # Its reminder toast would cover the dialog and goes away after 8 s, so whether it is
        # in the shot would depend on the machine's speed: dismiss it first.
        await wait_until(pilot, lambda: bool(pilot.app._notifications))
        pilot.app.clear_notifications()
        await wait_until(pilot, lambda: not pilot.app.screen.query("Toast"))
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, RemindersScreen))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


def test_kb_article_reader(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        screen = console(pilot)
        await wait_until(pilot, lambda: "加载中" not in str(screen.query_one("#kb-status").render()))
        await pilot.press("f3")
        await type_text(pilot, "装修噪", burst=3)
        hits = screen.query_one("#kb-hits")
        await wait_until(pilot, lambda: hits.option_count > 0  # type: ignore[attr-defined]
                         and str(screen.query_one("#kb-status").render()).startswith("“装修噪”"))
        await pilot.press("enter")  # into the hits
        await pilot.press("enter")  # open the first
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ArticleReader))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


# -- the ticket detail screen and its dialogs ------------------------------------------------
def test_ticket_detail(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    a_ticket(workspace)
    app = SeatConsoleApp(workspace, incoming_call="13611112222")
    assert snap_compare(app, terminal_size=size, run_before=shot(open_history_row))


def test_ticket_detail_transfer_dialog(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    a_ticket(workspace, domain="huanjing.zaosheng")  # 噪声扰民 -> 市生态环境局 pre-filled

    async def steps(pilot: Pilot) -> None:
        await open_history_row(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, TransferDialog))
        await type_text(pilot, "请核查并处理", burst=3)

    app = SeatConsoleApp(workspace, incoming_call="13611112222")
    assert snap_compare(app, terminal_size=size, run_before=shot(steps))


def test_ticket_detail_callback_choice(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "closed", actor="8001")

    async def steps(pilot: Pilot) -> None:
        await open_history_row(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog))

    app = SeatConsoleApp(workspace, incoming_call="13611112222")
    assert snap_compare(app, terminal_size=size, run_before=shot(steps))


def test_help_f1(snap_compare, workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await started(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(SeatConsoleApp(workspace), terminal_size=size, run_before=shot(steps))


# -- drill mode (培训演练) ----------------------------------------------------------------------
@pytest.fixture
def drill_app(config: Config, workspace: Workspace) -> Iterator[DrillConsoleApp]:
    drill_workspace = open_drill_workspace(config)
    drills = Drills.load(config.scripts_phrases, config.kb_data)
    scenario = find_scenario(config.scripts_phrases, "heating_consult", drills.vocabulary)
    yield DrillConsoleApp(drill_workspace, drills, scenario=scenario, now=DrillClock())
    drill_workspace.db.close()


async def drill_started(pilot: Pilot) -> DrillConsoleScreen:
    """The drill's call answered, the caller's first line (at 2 s) said, the clock at 3 s."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, DrillConsoleScreen)
                     and app.screen.drill.live is not None)
    screen: DrillConsoleScreen = app.screen
    screen.drill_setup.now.t = 3.0  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: "hello" in screen.drill.session.shown)
    await started(pilot, CALLER)
    return screen


def test_drill_console_mid_call(snap_compare, drill_app: DrillConsoleApp, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        screen = await drill_started(pilot)
        await type_text(pilot, "您好,8890很高兴为您服务", burst=4)
        await pilot.press("enter")
        await type_text(pilot, "这个我不知道", burst=2)  # flagged as it is typed
        reply = screen.query_one("#drill-reply", Input)
        await wait_until(pilot, lambda: reply.has_class("-forbidden"))

    assert snap_compare(drill_app, terminal_size=size, run_before=shot(steps))


def test_drill_score_screen(snap_compare, drill_app: DrillConsoleApp, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot: Pilot) -> None:
        await drill_started(pilot)
        await type_text(pilot, "您好,8890很高兴为您服务", burst=4)
        await pilot.press("enter", "ctrl+e")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EndCallDialog))
        await pilot.press("enter")  # 挂断
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, DrillScoreScreen))

    assert snap_compare(drill_app, terminal_size=size, run_before=shot(steps))
