"""Layout, help, keymap, knowledge base and palette of the real console."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList

from seat_console.config import load_config
from seat_console.core.workspace import Workspace, open_workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.article_reader import ArticleReader
from seat_console.tui.screens.help_screen import HelpScreen
from seat_console.tui.screens.new_call_dialog import NewCallDialog

from .console_driver import type_text, wait_until


def visible(app: SeatConsoleApp, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    return widget.display and widget.parent.display and widget.region.area > 0


async def test_comfortable_layout_shows_all_four_panes(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for pane in ("#caller-pane", "#kb-pane", "#phrase-pane", "#ticket-form", "#status-bar"):
            assert visible(app, pane), pane


async def test_small_terminal_shows_one_pane_and_f_keys_switch(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("compact")
        assert visible(app, "#ticket-form") and not visible(app, "#kb-pane")
        await pilot.press("f3")
        await pilot.pause()
        assert visible(app, "#kb-pane") and not visible(app, "#ticket-form")
        assert app.focused.id == "kb-query"
        await pilot.press("f2")
        await pilot.pause()
        assert visible(app, "#caller-pane") and not visible(app, "#kb-pane")
        await pilot.press("f5")
        await pilot.pause()
        assert visible(app, "#ticket-form") and app.focused.id == "caller_name"
        assert visible(app, "#status-bar")


async def test_f1_lists_every_binding_with_its_id(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        ids = {row[3] for row in rows}
        assert {"app.help", "console.new_call", "console.focus_kb", "console.submit",
                "phrases.next_phase"} <= ids
        assert ["Ctrl+N", "新来电"] in [[r[0], r[1]] for r in rows]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_from_config_remaps_a_binding(config_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config_file.write_text(config_file.read_text(encoding="utf-8")
                           + "keymap:\n  console.new_call: f9\n", encoding="utf-8")
    workspace = open_workspace(load_config(config_file, env={}))
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not isinstance(app.screen, NewCallDialog)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, NewCallDialog)
        await pilot.press("escape", "f1")
        await pilot.pause()
        rows = app.screen.query_one(DataTable)
        keys = {rows.get_row_at(i)[3]: rows.get_row_at(i)[0] for i in range(rows.row_count)}
        assert keys["console.new_call"] == "F9"
    workspace.db.close()


async def test_kb_search_as_you_type_and_reader(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3")
        await type_text(pilot, "装修噪", burst=3)
        hits = app.screen.query_one("#kb-hits", OptionList)
        await wait_until(pilot, lambda: hits.option_count > 0)
        assert hits.get_option_at_index(0).id == "kb-noise-0001"
        await pilot.press("enter")  # from the query box into the hits
        assert app.focused is hits
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleReader)
        assert app.screen.article.id == "kb-noise-0001"
        await pilot.press("escape")
        assert not isinstance(app.screen, ArticleReader)


async def test_command_palette_offers_the_console_actions(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"新来电", "提交工单", "切换到知识库", "快捷键帮助"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "新来电", burst=3)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, NewCallDialog))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_no_crash_when_resizing_between_layouts(workspace: Workspace, size) -> None:  # type: ignore[no-untyped-def]
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=size) as pilot:
        await pilot.resize_terminal(200 - size[0], 60 - size[1])
        await pilot.pause()
        assert app.screen.has_class("compact") == (200 - size[0] < 110 or 60 - size[1] < 30)
