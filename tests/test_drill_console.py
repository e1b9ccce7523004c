"""Drill mode (issue 15): the real console on drill.db with a scripted caller, played by keys,
scored as `drill replay` scores, stored in drill_result. The drill's clock is driven by hand
(DrillSession's `now`, through the app), so no test waits real seconds for the caller."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList, Static

from seat_console.commands.drill_console import drill_config, open_drill_workspace
from seat_console.config import Config
from seat_console.core import clock as core_clock
from seat_console.core.callers import caller_history
from seat_console.core.db import Database
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.history import NotADrillDatabase, prepare_drill
from seat_console.core.drills.results import drill_database_path, results
from seat_console.core.drills.scenario import EarlierTicket, Scenario, find_scenario
from seat_console.core.drills.scoring import Item
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.repeat_calls import similar_open_tickets
from seat_console.core.workspace import Workspace
from seat_console.tui.drill_app import DrillConsoleApp
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.confirm_dialog import ConfirmDialog
from seat_console.tui.screens.drill_console_screen import DrillConsoleScreen
from seat_console.tui.screens.drill_score_screen import DrillScoreScreen
from seat_console.tui.screens.end_call_dialog import EndCallDialog
from seat_console.tui.screens.help_screen import HelpScreen
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import DrillClock, choose_request_type, type_text, wait_until

# Pilot gives 。 and 、 no character (a real terminal delivers them as typed): the words typed
# here use , and ? instead.

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
PHONE = "13712345678"  # heating_consult's caller
EARLIER = "家中暖气片不热,室温只有十六度,要求供热企业上门测温"


@pytest.fixture
def drills(config: Config) -> Drills:
    return Drills.load(config.scripts_phrases, config.kb_data)


@pytest.fixture
def heating(config: Config, drills: Drills) -> Scenario:
    return find_scenario(config.scripts_phrases, "heating_consult", drills.vocabulary)


@pytest.fixture
def drill_workspace(workspace: Workspace, config: Config) -> Iterator[Workspace]:
    """drill.db, opened after the real hotline.db (the `workspace` fixture) exists."""
    ws = open_drill_workspace(config)
    yield ws
    ws.db.close()


def tickets(db: Database) -> list[Ticket]:
    with db.read() as session:
        return list(session.exec(select(Ticket)).all())


def drill_screen(app: DrillConsoleApp) -> DrillConsoleScreen:
    return next(s for s in app.screen_stack if isinstance(s, DrillConsoleScreen))


async def answered(pilot) -> DrillConsoleScreen:  # type: ignore[no-untyped-def]
    """Until the drill's call is answered and the reply line has the focus."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, DrillConsoleScreen)
                     and app.screen.drill.live is not None and app.focused is not None
                     and app.focused.id == "drill-reply")
    return app.screen


async def say(pilot, clock: DrillClock, at: float, text: str) -> None:  # type: ignore[no-untyped-def]
    """At `at` seconds: Ctrl+T to the reply line, the words as an IME commits them, Enter."""
    clock.t = at
    await pilot.press("ctrl+t")
    await type_text(pilot, text, burst=4)
    await pilot.press("enter")
    screen = drill_screen(pilot.app)
    await wait_until(pilot, lambda: any(a.kind == "say" and a.value == text
                                        for a in screen.drill.session.actions))


async def caller_said(pilot, clock: DrillClock, at: float, line_id: str) -> None:  # type: ignore[no-untyped-def]
    clock.t = at
    screen = drill_screen(pilot.app)
    await wait_until(pilot, lambda: line_id in screen.drill.session.shown)


async def scored(pilot) -> DrillScoreScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, DrillScoreScreen))
    return app.screen


def log_text(screen: DrillConsoleScreen) -> str:
    return screen.pane.conversation()


async def test_heating_consult_played_by_keys_scores_full_marks_on_drill_db(
        workspace: Workspace, drill_workspace: Workspace, drills: Drills,
        heating: Scenario) -> None:
    clock = DrillClock()
    app = DrillConsoleApp(drill_workspace, drills, scenario=heating, now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await answered(pilot)
        banner = "\n".join(line.plain for line in
                            screen.query_one("#drill-banner").render().renderables)
        assert "培训演练" in banner and heating.title in banner and "学员 8001" in banner
        assert heating.caller.manner in banner and heating.briefing in banner
        form = screen.query_one(TicketForm)
        assert form.values()["caller_phone"] == PHONE  # the call came in at once

        await say(pilot, clock, 1, "您好,8890很高兴为您服务")
        await caller_said(pilot, clock, 2, "hello")
        assert "喂,你好,我想问一下暖气的事。" in log_text(screen)
        await say(pilot, clock, 4, "请问您怎么称呼?")
        await caller_said(pilot, clock, 6, "name")
        await caller_said(pilot, clock, 9, "matter")

        clock.t = 10  # the form, field by field, Tab between them
        await pilot.press("f5")
        assert app.focused.id == "caller_name"
        await type_text(pilot, "王女士", burst=3)
        await pilot.press("tab", "tab")  # past the caller's number, filled by the call
        await type_text(pilot, "和平区南京南街12号", burst=4)
        await pilot.press("tab")
        await choose_request_type(pilot, downs=1)  # 咨询
        await pilot.press("tab", "tab")  # past 保密 into 诉求内容
        assert app.focused.id == "content"
        await type_text(pilot, "暖气片不热,室温仅十六度,咨询室温标准", burst=2)
        await pilot.press("tab")
        assert app.focused.id == "domain-input"
        await type_text(pilot, "室温", burst=2)
        await pilot.press("enter")  # the first match: 室温不达标
        await wait_until(pilot, lambda: form.values()["domain"] == "gongre.wendu")
        await wait_until(pilot, lambda: any(a.kind == "fill" and "content" in a.value
                                            for a in screen.drill.session.actions))

        await say(pilot, clock, 27, "您反映的是暖气不热室温十六度,对吗?")
        await caller_said(pilot, clock, 29, "confirm")

        clock.t = 32  # the knowledge base: search, into the hits, adopt the answer
        hits = screen.query_one("#kb-hits", OptionList)
        await pilot.press("f3")
        await type_text(pilot, "暖气不热", burst=2)
        await wait_until(pilot, lambda: hits.option_count > 0 and screen.query_one(
            "#kb-status").render().plain.startswith("“暖气不热”"))
        assert hits.get_option_at_index(0).id == "kb-heating-0001"
        await pilot.press("enter", "ctrl+r")
        await wait_until(pilot, lambda: form.values()["kb_article_id"] == "kb-heating-0001")

        await say(pilot, clock, 40, "室温应不低于18度,可联系供热企业测温")
        clock.t = 48
        await pilot.press("f5")  # the first empty field: none left, so 诉求内容
        assert app.focused.id == "content"
        for _ in range(20):
            if app.focused.id == "demand":
                break
            await pilot.press("tab")
        assert app.focused.id == "demand"
        await type_text(pilot, "咨询室温标准", burst=3)

        await say(pilot, clock, 52, "请问还有其他需要帮助的吗?")
        await caller_said(pilot, clock, 54, "thanks")
        await say(pilot, clock, 56, "感谢您的来电,我的工号是8001")
        clock.t = 58
        await pilot.press("ctrl+s")
        score_screen = await scored(pilot)
        await app.workers.wait_for_complete()

        total = str(score_screen.query_one("#drill-total", Static).render())
        assert "总分 125 / 125" in total
        table = score_screen.query_one("#drill-items", DataTable)
        assert table.row_count == len(score_screen.score.items)
        assert "首次练习" in str(score_screen.query_one("#drill-earlier", Static).render())

    [result] = results(drill_workspace.db, trainee_id="8001", scenario_id="heating_consult")
    lost = {i["rule"]: (i["lost"], i["why"]) for i in result.items if i["lost"]}
    assert lost == {} and result.score == result.max_score == 125
    rules = {i["rule"] for i in result.items}
    assert {"phrases.opening", "phrases.closing", "forbidden", "fields.request_type",
            "fields.domain", "facts.1", "facts.2", "required_fields", "kb", "disposition",
            "record_within", "typing_speed"} <= rules
    run = result.run
    assert '"kb": "kb-heating-0001"' in run and '"dispose": "direct_answer"' in run
    assert '"submit": true' in run and '"typing_cpm"' in run
    # the drill's ticket is in drill.db, and only there
    [ticket] = tickets(drill_workspace.db)
    assert (ticket.caller_phone, ticket.domain, ticket.kb_article_id) == (
        PHONE, "gongre.wendu", "kb-heating-0001")
    assert tickets(workspace.db) == []
    assert drill_workspace.db.path == drill_database_path(workspace.db.path)


async def test_a_forbidden_phrase_in_the_reply_line_is_flagged_and_costs_points(
        drill_workspace: Workspace, drills: Drills, heating: Scenario) -> None:
    clock = DrillClock()
    app = DrillConsoleApp(drill_workspace, drills, scenario=heating, now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await answered(pilot)
        reply = screen.query_one("#drill-reply", Input)
        warnings = screen.query_one("#drill-warnings", Static)
        clock.t = 3
        await type_text(pilot, "这个我不知道", burst=2)
        await wait_until(pilot, lambda: reply.has_class("-forbidden"))
        assert "服务禁语" in str(warnings.render()) and "不知道" in str(warnings.render())
        await pilot.press("enter")
        await wait_until(pilot, lambda: "这个我不知道" in log_text(screen))
        assert "⚠ 服务禁语:不知道" in log_text(screen)
        assert not reply.has_class("-forbidden") and reply.value == ""

        clock.t = 8  # the caller is let go without a ticket: Ctrl+E, 挂断
        await end_call_hanging_up(pilot)
        score_screen = await scored(pilot)
        forbidden = item(score_screen, "forbidden")
        assert forbidden.lost == 10 and "说了“不知道”" in forbidden.why
        disposition = item(score_screen, "disposition")
        assert disposition.lost and "挂断" in disposition.why

        await pilot.press("r")  # the same scenario again, from a clean start
        clock.t = 0
        again = await answered(pilot)
        assert again is not screen and log_text(again) == ""
        await wait_until(pilot, lambda: "首次来电" in str(
            again.query_one("#caller-summary").render()))
        await end_call_hanging_up(pilot)
        second = await scored(pilot)
        assert "此前成绩" in str(second.query_one("#drill-earlier", Static).render())
        await pilot.press("escape")  # back to the scenarios
        await wait_until(pilot, lambda: picker_ready(app))

    stored = results(drill_workspace.db, scenario_id="heating_consult")
    assert [r.trainee_id for r in stored] == ["8001", "8001"]
    assert next(i for i in stored[0].items if i["rule"] == "forbidden")["lost"] == 10


def picker_ready(app: DrillConsoleApp) -> bool:
    """The scenario picker is shown and mounted: its list has the focus (keys reach it, and
    closing the app now does not cut its mounting short)."""
    return isinstance(app.screen, ChoiceDialog) and app.focused is not None \
        and app.focused.id == "choices"


def item(score_screen: DrillScoreScreen, rule: str) -> Item:
    return next(i for i in score_screen.score.items if i.rule == rule)


async def end_call_hanging_up(pilot) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+E and the first reason, 挂断: the caller let go without a ticket."""
    await pilot.press("ctrl+e")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EndCallDialog))
    await pilot.press("enter")


def repeat_scenario(heating: Scenario) -> Scenario:
    """heating_consult's caller calling again about an open ticket: 催办, no new ticket."""
    return replace(heating, history=(EarlierTicket(EARLIER, "complaint", 3, "transferred",
                                                   "市供热管理办公室"),),
                   expect=replace(heating.expect, ticket=False, disposition="urge", kb=()))


async def test_the_callers_history_is_seeded_and_f12_urges_it(
        drill_workspace: Workspace, drills: Drills, heating: Scenario) -> None:
    clock = DrillClock()
    app = DrillConsoleApp(drill_workspace, drills, scenario=repeat_scenario(heating), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await answered(pilot)
        history = screen.query_one("#caller-history", DataTable)
        await wait_until(pilot, lambda: history.row_count == 1)
        assert "重复来电" in str(screen.query_one("#caller-repeat").render())
        form = screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_name"] == "王女士")  # as on shift
        clock.t = 5
        screen.query_one("#content").focus()
        await type_text(pilot, "暖气片还是不热,室温只有十六度", burst=3)
        await wait_until(pilot, lambda: bool(screen.call.similar))
        await pilot.press("f12")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        score_screen = await scored(pilot)
        disposition = item(score_screen, "disposition")
        assert disposition.lost == 0 and "催办" in disposition.why

    [earlier] = tickets(drill_workspace.db)  # no new ticket; the earlier one was urged
    with drill_workspace.db.read() as session:
        actions = [e.action for e in session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == earlier.id)).all()]
    assert "urge" in actions


async def test_without_a_scenario_the_trainee_picks_one(
        drill_workspace: Workspace, drills: Drills, heating: Scenario) -> None:
    app = DrillConsoleApp(drill_workspace, drills, now=DrillClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: picker_ready(app))
        ids = [s.id for s in drills.scenarios()]
        await pilot.press(*["down"] * ids.index("heating_consult"), "enter")
        screen = await answered(pilot)
        assert screen.drill_setup.scenario.id == "heating_consult"
        assert screen.query_one("#caller-pane").has_class("active")  # compact: the conversation
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        ids_listed = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert {"drill.reply", "score.done", "score.close", "score.retry"} <= ids_listed


async def test_a_phrase_inserted_in_drill_mode_goes_into_the_reply_line(
        drill_workspace: Workspace, drills: Drills, heating: Scenario) -> None:
    app = DrillConsoleApp(drill_workspace, drills, scenario=heating, now=DrillClock())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await answered(pilot)
        await pilot.press("f4", "down", "i")  # the first phrase: the opening
        reply = screen.query_one("#drill-reply", Input)
        await wait_until(pilot, lambda: "8890" in reply.value)
        assert app.focused is reply
        assert screen.query_one(TicketForm).values()["reply"] == ""


def test_seeding_runs_on_drill_db_only_and_starts_every_drill_afresh(
        config: Config, workspace: Workspace, heating: Scenario) -> None:
    scenario = repeat_scenario(heating)
    seeding = dict(site_code="210102", agent_id="8001", deadlines=workspace.deadlines)
    with pytest.raises(NotADrillDatabase):
        prepare_drill(workspace.db, scenario, **seeding)  # hotline.db: refused
    drill_db = Database(drill_config(config).database)
    try:
        for _ in range(2):  # the second drill retires the first one's tickets
            [filed] = prepare_drill(drill_db, scenario, **seeding)
        assert filed.status == "transferred" and filed.created_at < filed.deadline
        filed_on = (core_clock.now() - timedelta(days=3, hours=1)).strftime("%Y%m%d")
        assert filed.number.split("-")[1] == filed_on  # filed 3 days back, as numbered then
        history = caller_history(drill_db, PHONE)
        assert [t.number for t in history.tickets] == [filed.number]
        assert history.open_recent and history.call_count == 1
        assert [s.ticket.id for s in similar_open_tickets(
            drill_db, PHONE, "", "暖气片不热,室温只有十六度")] == [filed.id]
        assert len(tickets(drill_db)) == 2  # retired, never deleted (the audit trail stays)
    finally:
        drill_db.close()
    assert tickets(workspace.db) == []


async def test_a_history_that_cannot_be_filed_goes_back_to_the_scenarios(
        drill_workspace: Workspace, drills: Drills, heating: Scenario) -> None:
    broken = replace(heating, history=(EarlierTicket(EARLIER, "complaint", 3, "lost"),))
    app = DrillConsoleApp(drill_workspace, drills, scenario=broken, now=DrillClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: picker_ready(app))  # before the app is closed
    assert tickets(drill_workspace.db) == []


@pytest.mark.parametrize("argv, message", [
    (["drill", "no_such_drill"], "no drill scenario 'no_such_drill'"),
    (["drill", "heating_consult", "--trainee", "王五"], "--trainee '王五'"),
])
def test_the_command_refuses_before_the_console_starts(config_file, tmp_path, argv,
                                                      message) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run([SEAT_CONSOLE, "--config", str(config_file), *argv], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "drill.db").exists()
