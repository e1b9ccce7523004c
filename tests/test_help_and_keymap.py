"""F1 help reaches every binding; hints follow the keymap (the 统计报表 key too); a keymap with a
clash is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from seat_console.config import load_config
from seat_console.core.workspace import Workspace, open_workspace
from seat_console.tui.app import BINDING_AREAS, BINDING_SCREENS, SeatConsoleApp
from seat_console.tui.keymap import clashing_bindings
from seat_console.tui.screens.help_screen import HelpScreen
from seat_console.tui.screens.stats_screen import StatsScreen
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import wait_until

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")


def screen_text(app: SeatConsoleApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_f1_help_scrolls_to_the_last_binding(workspace: Workspace,
                                                   size: tuple[int, int]) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        last_id = str(table.get_row_at(table.row_count - 1)[3])
        assert app.screen.region.contains_region(table.region)
        await pilot.press(*["pagedown"] * 12)
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1
        assert last_id in screen_text(app)


async def test_hints_follow_a_remapped_key(config_file: Path) -> None:
    config_file.write_text(config_file.read_text(encoding="utf-8")
                           + "keymap:\n  console.submit: f6\n  console.special_phrases: ctrl+o\n"
                           "  console.focus_kb: ctrl+k\n  kb.adopt: ctrl+y\n",
                           encoding="utf-8")
    workspace = open_workspace(load_config(config_file, env={}))
    app = SeatConsoleApp(workspace)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            hint = str(app.screen.query_one(TicketForm).query_one("#form-hint").render())
            assert "F6 提交" in hint and "Ctrl+S" not in hint
            assert app.screen.query_one("#kb-pane").border_title == "知识库 Ctrl+K"
            await wait_until(pilot, lambda: "Ctrl+Y 采用" in str(
                app.screen.query_one("#kb-status").render()))
            await pilot.press("f1")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            rows = {str(r[3]): str(r[0]) for r in
                    (app.screen.query_one(DataTable).get_row_at(i)
                     for i in range(app.screen.query_one(DataTable).row_count))}
            assert rows["console.submit"] == "F6"
    finally:
        workspace.db.close()


def test_a_keymap_putting_two_actions_on_one_key_is_refused_with_file_and_line(
        config_file: Path, tmp_path: Path) -> None:
    config_file.write_text(config_file.read_text(encoding="utf-8")
                           + "keymap:\n  console.new_call: f2\n", encoding="utf-8")
    lines = config_file.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "console.new_call" in text)
    result = subprocess.run([SEAT_CONSOLE, "--config", str(config_file)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"{config_file}:{line}" in result.stderr
    assert "console.focus_caller" in result.stderr and "'f2'" in result.stderr


def test_the_stats_key_is_free_by_default_and_a_clash_when_put_on_a_console_key() -> None:
    assert clashing_bindings(BINDING_AREAS, {}, BINDING_SCREENS) == []
    clashes = clashing_bindings(BINDING_AREAS, {"app.stats": "f10"}, BINDING_SCREENS)
    assert [{c.first, c.second} for c in clashes] == [{"app.stats", "console.due"}]


async def test_the_stats_key_follows_the_keymap(config_file: Path) -> None:
    config_file.write_text(config_file.read_text(encoding="utf-8")
                           + "keymap:\n  app.stats: ctrl+o\n", encoding="utf-8")
    workspace = open_workspace(load_config(config_file, env={}))
    app = SeatConsoleApp(workspace)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            help_text = {c.title: c.help for c in app.get_system_commands(app.screen)}["统计报表"]
            assert "Ctrl+O" in help_text and "Ctrl+L" not in help_text
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert not isinstance(app.screen, StatsScreen)
            await pilot.press("ctrl+o")
            await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
            await app.workers.wait_for_complete()
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, StatsScreen))
    finally:
        workspace.db.close()
