"""统计报表 in the console (Ctrl+L and the palette): a real hotline.db with tickets and calls
filed by the core under clock.travel, the real app driven by Pilot. The figures on screen are
those of compute() on the same database; 无数据 where nothing divides; 今日/本月 switch; the
charts get the counts; Esc gives the console back with what was typed."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Static

from seat_console.commands.drill_console import open_drill_workspace
from seat_console.config import SHIPPED_SCRIPTS_PHRASES, Config, load_config
from seat_console.core import clock
from seat_console.core.calls import CallStart
from seat_console.core.db import Database
from seat_console.core.deadlines import due_lists
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.scenario import find_scenario
from seat_console.core.lifecycle import transition
from seat_console.core.stats import compute, load_indicators, period
from seat_console.core.stats.display import NO_DATA, shown
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace, open_workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.drill_app import DrillConsoleApp
from seat_console.tui.screens.drill_console_screen import DrillConsoleScreen
from seat_console.tui.screens.help_screen import HelpScreen
from seat_console.tui.screens.stats_screen import LOADING, StatsScreen
from seat_console.tui.widgets.stats_chart import StatsChart
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import type_text, wait_until

ME, OTHER = "8001", "8002"  # the config's agent (conftest) and a colleague
SITE = "210102"
DISPATCH = {"department": "市生态环境局", "dispatch_opinion": "请核实噪音来源并处理"}
DAY = date(2026, 11, 25)  # conftest's clock: Wednesday 2026-11-25 10:00
WATCHDOG_SECONDS = 10.0
INDICATORS = (SHIPPED_SCRIPTS_PHRASES / "indicators.yaml").read_text(encoding="utf-8")


def t(stamp: str) -> str:
    return f"{stamp}.000+08:00"


def ticket(workspace: Workspace, at: str, agent: str, request_type: str, domain: str,
           call: bool = False, **changes: object) -> str:
    values: dict[str, object] = dict(
        caller_name="钱女士", caller_phone="13912345678", caller_address="沈河区北站路1号",
        request_type=request_type, content="夜间施工噪音扰民", domain=domain,
        call_started_at=t(at) if call else None)
    values.update(changes)
    start = CallStart(t(at), "13912345678") if call else None
    with clock.travel(t(at), frozen=True):
        return submit(workspace.db, TicketInput(**values),  # type: ignore[arg-type]
                      site_code=SITE, agent_id=agent, draft_slot=None,
                      deadlines=workspace.deadlines, call=start).id


def transfer(db: Database, at: str, ticket_id: str, deadline: str) -> None:
    with clock.travel(t(at), frozen=True):
        transition(db, ticket_id, "transferred", actor=ME, **DISPATCH, deadline=t(deadline))


@pytest.fixture
def history(workspace: Workspace) -> Iterator[Workspace]:
    file_history(workspace)
    yield workspace


def file_history(workspace: Workspace) -> None:
    """November 2026: three tickets of mine, three of a colleague's, three of them today.
    直办率 today: mine 1/1, site 2/3; this month: mine 2/3, site 3/6. No call was answered
    through the telephony and nobody was called back: 平均振铃时长 and 满意率 have no data."""
    noise, bus = "huanjing.zaosheng", "jiaotong.gongjiao"
    ticket(workspace, "2026-11-03T09:00:00", ME, "consult", bus, call=True,
           disposition="direct_answer", reply="已答复线路")
    mine_late = ticket(workspace, "2026-11-10T10:00:00", ME, "complaint", noise)
    transfer(workspace.db, "2026-11-10T11:00:00", mine_late, "2026-11-17T17:30:00")  # overdue
    theirs = ticket(workspace, "2026-11-20T14:00:00", OTHER, "complaint", noise)
    transfer(workspace.db, "2026-11-20T15:00:00", theirs, "2026-11-25T17:30:00")  # due today
    ticket(workspace, "2026-11-25T08:30:00", OTHER, "help", bus, call=True,
           disposition="direct_answer", reply="已告知")
    ticket(workspace, "2026-11-25T09:00:00", ME, "consult", bus, call=True,
           disposition="direct_answer", reply="已答复")
    ticket(workspace, "2026-11-25T09:30:00", OTHER, "complaint", noise, disposition="transfer",
           **DISPATCH)


def rows(table: DataTable) -> dict[str, tuple[str, str]]:  # type: ignore[type-arg]
    out = {}
    for index in range(table.row_count):
        name, mine, site = (str(cell) for cell in table.get_row_at(index))
        out[name] = (mine, site)
    return out


def expected(workspace: Workspace, first: date, last: date) -> dict[str, tuple[str, str]]:
    """The table as compute() says it: by agent (mine) and in total (the site)."""
    report = compute(workspace.db, load_indicators(workspace.config.scripts_phrases),
                     period(first.isoformat(), last.isoformat()), "agent")
    mine = next(g for g in report.groups if g.key == ME)
    out = {"工单量": (str(mine.tickets), str(report.total.tickets)),
           "来电量": (str(mine.calls), str(report.total.calls))}
    for own, site in zip(mine.figures, report.total.figures):
        out[site.name] = (shown(own), shown(site))
    return out


async def opened(pilot, key: str = "ctrl+l") -> StatsScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
    screen = app.screen
    await wait_until(pilot, lambda: screen.dashboard is not None)
    await pilot.pause()
    return screen


def text_of(screen: StatsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_ctrl_l_shows_my_and_the_site_figures_of_today_and_of_the_month(
        history: Workspace) -> None:
    app = SeatConsoleApp(history)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = await opened(pilot)
        table = screen.query_one("#stats-table", DataTable)
        today = rows(table)
        assert today == expected(history, DAY, DAY)
        assert today["工单量"] == ("1", "3") and today["直办率"] == ("100.0%", "66.7%")
        assert today["平均振铃时长"] == (NO_DATA, NO_DATA)
        assert today["满意率"] == (NO_DATA, NO_DATA)
        assert "今日" in text_of(screen, "#stats-switch") and "2026-11-25" in \
            text_of(screen, "#stats-switch")

        await pilot.press("2")
        month = rows(table)
        assert month == expected(history, date(2026, 11, 1), DAY)
        assert month["工单量"] == ("3", "6") and month["直办率"] == ("66.7%", "50.0%")
        assert month["满意率"] == (NO_DATA, NO_DATA)
        assert "2026-11-01 至 2026-11-25" in text_of(screen, "#stats-switch")

        await pilot.press("tab")  # back to today
        assert rows(table)["直办率"] == ("100.0%", "66.7%")
        await pilot.press("tab")
        assert rows(table)["直办率"] == ("66.7%", "50.0%")


async def test_the_charts_get_the_days_and_the_shares(history: Workspace) -> None:
    app = SeatConsoleApp(history)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = await opened(pilot)
        await pilot.press("2")
        types = screen.query_one("#stats-types", StatsChart)
        assert (types.labels, types.mine, types.site) == (("投诉", "咨询", "求助"), (1, 2, 0),
                                                           (3, 2, 1))
        domains = screen.query_one("#stats-domains", StatsChart)
        # Three each (ties in label order): 交通出行 two of them mine, 生态环境 one.
        assert (domains.labels, domains.mine, domains.site) == (("交通出行", "生态环境"),
                                                                 (2, 1), (3, 3))
        trend = screen.query_one("#stats-trend", StatsChart)
        assert len(trend.site) == 25 and trend.labels[-1] == "25"
        assert (trend.site[2], trend.site[9], trend.site[19], trend.site[24]) == (1, 1, 1, 3)
        assert (trend.mine[2], trend.mine[19], trend.mine[24]) == (1, 0, 1)
        assert sum(trend.site) == 6

        await pilot.press("1")  # the distributions follow the period, the trend stays
        assert sorted(types.site) == [1, 1, 1] and sum(types.mine) == 1
        assert sum(trend.site) == 6

        for chart in (types, domains, trend):  # drawn, with Chinese labels inside the frame
            assert chart.region.area > 0
            lines = chart.render().plain.splitlines()
            assert len(lines) == chart.size.height
            assert {cell_len(line) for line in lines} == {chart.size.width}
        assert "投诉" in types.render().plain


async def test_near_deadline_counts_are_those_of_the_f10_list(history: Workspace) -> None:
    near, overdue = due_lists(history.db, history.deadlines)
    app = SeatConsoleApp(history)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = await opened(pilot)
        due = rows(screen.query_one("#stats-due", DataTable))
        assert due["已超期"] == ("1", str(len(overdue))) == ("1", "1")
        assert due["今日到期"] == ("0", "1") and due["24小时内到期"] == ("0", "1")
        assert due[next(k for k in due if k.startswith("临近时限"))] == ("0", str(len(near)))
        assert due["督办中"] == ("0", "0")


@pytest.fixture
def own_phrases(config_file: Path, tmp_path: Path) -> Path:
    """A copy of the shipped scripts_phrases that the config points at."""
    folder = tmp_path / "phrases"
    shutil.copytree(SHIPPED_SCRIPTS_PHRASES, folder)
    config_file.write_text(config_file.read_text(encoding="utf-8") + "scripts_phrases: phrases\n",
                           encoding="utf-8")
    return folder


def feed(fifo: Path) -> None:
    """Hand indicators.yaml to the reader waiting on the pipe (blocks until one is)."""
    fifo.write_text(INDICATORS, encoding="utf-8")


def release(fifo: Path) -> None:
    """Hand indicators.yaml to a reader waiting on the pipe, if one is."""
    try:
        writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # nobody is reading
        return
    try:
        os.write(writer, INDICATORS.encode())
    finally:
        os.close(writer)


async def test_opens_at_once_says_so_until_counted_and_esc_gives_the_form_back(
        own_phrases: Path, config_file: Path) -> None:
    """indicators.yaml is a named pipe: the screen's worker waits on it for as long as the test
    likes, as it would on a slow disk or a large database, and the console does not."""
    fifo = own_phrases / "indicators.yaml"
    fifo.unlink()
    os.mkfifo(fifo)
    workspace = open_workspace(load_config(config_file, env={}))
    file_history(workspace)
    app = SeatConsoleApp(workspace)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await type_text(pilot, "孙女士", burst=3)
            # Counting on the event loop would freeze the console on the pipe: let it go after
            # a while, so that fails the test below instead of hanging it.
            watchdog = threading.Timer(WATCHDOG_SECONDS, release, (fifo,))
            watchdog.start()
            await pilot.press("ctrl+l")
            await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
            screen = app.screen
            await pilot.pause(0.2)
            assert screen.dashboard is None  # still waiting for the indicators
            assert text_of(screen, "#stats-status") == LOADING
            assert not screen.query_one("#stats-body").display
            watchdog.cancel()
            await asyncio.to_thread(feed, fifo)
            await wait_until(pilot, lambda: screen.dashboard is not None)
            await pilot.pause()
            table = screen.query_one("#stats-table", DataTable)
            assert screen.query_one("#stats-body").display
            assert rows(table)["工单量"] == ("1", "3")
            assert "截至 2026-11-25 " in text_of(screen, "#stats-status")

            # r counts again (a ticket filed meanwhile shows), the old figures stay meanwhile.
            ticket(workspace, "2026-11-25T09:50:00", ME, "consult", "jiaotong.gongjiao",
                   disposition="direct_answer", reply="已答复")
            await pilot.press("r")
            await pilot.pause(0.2)
            assert text_of(screen, "#stats-status") == LOADING
            assert rows(table)["工单量"] == ("1", "3")
            await asyncio.to_thread(feed, fifo)
            await wait_until(pilot, lambda: rows(table)["工单量"] == ("2", "4"))
            assert "截至" in text_of(screen, "#stats-status")

            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, StatsScreen))
            assert app.screen.query_one(TicketForm).values()["caller_name"] == "孙女士"
            assert app.focused is not None and app.focused.id == "caller_name"
    finally:
        release(fifo)  # a reader still waiting (the test failed early) is let go
        workspace.db.close()


async def test_a_broken_indicators_file_is_named_and_the_console_stays(
        own_phrases: Path, config_file: Path) -> None:
    path = own_phrases / "indicators.yaml"
    broken = ("indicators:\n  - code: broken_one\n    name: 坏指标\n    unit: percentage\n"
              "    numerator: {records: tickets}\n    denominator: {records: tickets}\n"
              "    better: higher\n    reference: 1\n    points: 1\n")
    path.write_text(INDICATORS.replace("indicators:\n", broken, 1), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "unit: percentage" in text)
    workspace = open_workspace(load_config(config_file, env={}))
    app = SeatConsoleApp(workspace)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+l")
            await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
            screen = app.screen
            await wait_until(pilot, lambda: "统计指标定义有误" in text_of(screen, "#stats-status"))
            assert f"indicators.yaml:{line}" in text_of(screen, "#stats-status")
            assert screen.dashboard is None and not screen.query_one("#stats-body").display
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, StatsScreen))
            assert app.is_running
    finally:
        workspace.db.close()


async def test_the_palette_opens_it_and_f1_lists_its_key(history: Workspace) -> None:
    app = SeatConsoleApp(history)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "Ctrl+L" in commands["统计报表"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "统计报表", burst=4)
        await pilot.pause(0.3)
        screen = await opened(pilot, "enter")
        assert rows(screen.query_one("#stats-table", DataTable))["工单量"] == ("1", "3")
        await pilot.press("ctrl+l")  # not a second one on top
        await pilot.pause()
        assert sum(isinstance(s, StatsScreen) for s in app.screen_stack) == 1
        await pilot.press("escape", "f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        help_rows = {str(table.get_row_at(i)[3]): table.get_row_at(i)
                     for i in range(table.row_count)}
        assert [str(c) for c in help_rows["app.stats"][:2]] == ["Ctrl+L", "统计报表"]
        assert {"stats.close", "stats.today", "stats.month", "stats.switch"} <= set(help_rows)
        assert all(len(i) <= 16 for i in help_rows if i.startswith(("stats.", "app.stats")))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_fits_small_and_large_terminals(history: Workspace, size: tuple[int, int]) -> None:
    app = SeatConsoleApp(history)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = await opened(pilot)
        assert screen.has_class("compact") == (size[0] < 110)
        assert screen.region.contains_region(screen.query_one("#stats-keys").region)
        table = screen.query_one("#stats-table", DataTable)
        assert table.virtual_size.width <= table.size.width  # every column, no sideways scroll
        assert table.region.right <= size[0]
        for selector in ("#stats-trend", "#stats-types", "#stats-domains"):
            chart = screen.query_one(selector, StatsChart)
            assert chart.size.width <= size[0] - 2 and chart.size.height >= 6, selector
            lines = chart.render().plain.splitlines()
            assert {cell_len(line) for line in lines} == {chart.size.width}, selector
        body = screen.query_one("#stats-body")
        await pilot.press("end")  # the last chart can be scrolled to without a mouse
        await pilot.pause()
        domains = screen.query_one("#stats-domains", StatsChart)
        assert body.region.contains_region(domains.region)


async def test_not_offered_in_drill_mode(workspace: Workspace, config: Config) -> None:
    """Drill mode works on drill.db: no 统计报表 in its palette, its key does nothing."""
    drills = Drills.load(config.scripts_phrases, config.kb_data)
    scenario = find_scenario(config.scripts_phrases, "heating_consult", drills.vocabulary)
    drill_workspace = open_drill_workspace(config)
    app = DrillConsoleApp(drill_workspace, drills, scenario=scenario)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, DrillConsoleScreen))
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "新来电" in titles and "统计报表" not in titles
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert not any(isinstance(s, StatsScreen) for s in app.screen_stack)
    finally:
        drill_workspace.db.close()
