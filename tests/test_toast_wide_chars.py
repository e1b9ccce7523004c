"""Toasts keep every Chinese character: "提交成功" never reads "提交成" or "提  成功".

Textual cut every line at the edges of the widgets *under* a toast and dropped a double-width
character that straddled such a cut (seat_console/tui/wide_chars.py). The toasts are read back
from the screen the way a terminal shows them: from a full repaint, and from the stream of
partial updates the console sends while the toast is up."""

from __future__ import annotations

from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual.widgets._toast import Toast

from seat_console.core.workspace import Workspace
from seat_console.tui import wide_chars
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.widgets.status_bar import StatusBar

from .console_driver import wait_until
from .hostile_screen import grid, region_text, screen_strips, without_space

NOTES = [
    ("提交成功", "工单 210102-20261125-0001 已受理并保存"),
    ("", "当前工单尚未提交,已保留为草稿;提交后再开始新来电"),
    ("转介回访提醒", "210102-20261125-0003 沈阳市和平区家政服务中心:企业反馈确认(已超时),F9 查看"),
    ("直接答复", "已将“住房公积金提取条件及办理流程(含离职、退休、购房、租房、大病)”的答复填入答复栏,"
                 "并关联该知识"),
    ("好", "是"),
    ("紧急转警", "已记录转 119,请同时报告热线管理人员"),
]


async def shown_toast(pilot: Any, title: str, message: str) -> str:
    """Notify, wait for the toast, and return the text drawn in its content region."""
    app = pilot.app
    app.clear_notifications()
    await pilot.pause()
    app.notify(message, title=title, timeout=30)
    await wait_until(pilot, lambda: any(t._notification.message == message
                                        for t in app.screen.query(Toast)))
    await pilot.pause()
    toast = next(t for t in app.screen.query(Toast) if t._notification.message == message)
    return region_text(grid(screen_strips(app)), toast.content_region)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_every_character_of_a_toast_is_drawn(workspace: Workspace,
                                                   size: tuple[int, int]) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        for title, message in NOTES:
            drawn = await shown_toast(pilot, title, message)
            assert without_space(drawn) == without_space(title + message), drawn


class Terminal:
    """Enough of a terminal to apply the console's updates: cursor moves and text by cells."""

    def __init__(self, width: int, height: int) -> None:
        self.cells = [[" "] * width for _ in range(height)]
        self.x = self.y = 0

    def put(self, char: str) -> None:
        row, width = self.cells[self.y], cell_len(char)
        if width == 0 or self.x >= len(row):
            return
        if row[self.x] == "" and self.x:  # over the right half of a wide character
            row[self.x - 1] = " "
        for offset in range(width):
            if self.x + offset < len(row):
                row[self.x + offset] = char if offset == 0 else ""
        end = self.x + width
        if end < len(row) and row[end] == "":  # cut the left half of a wide character
            row[end] = " "
        self.x = end

    def apply(self, update: Any, app: App[object]) -> None:
        for segment in update.__rich_console__(app.console, app.console.options):
            if segment.control:
                for code in segment.control:
                    if code[0].name == "CURSOR_MOVE_TO":
                        self.x, self.y = code[1], code[2]
            elif segment.text != "\n":
                for char in segment.text:
                    self.put(char)

    def text(self, region: Any) -> str:
        return region_text(self.cells, region)


async def test_partial_updates_under_a_toast_keep_it_whole(workspace: Workspace) -> None:
    """What the terminal shows after the console's own updates, not only a full repaint."""
    app = SeatConsoleApp(workspace)
    updates: list[Any] = []
    display = app._display

    def record(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            updates.append(renderable)
        display(screen, renderable)

    app._display = record  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        title, message = NOTES[0]
        await shown_toast(pilot, title, message)
        toast = next(t for t in app.screen.query(Toast) if t._notification.message == message)
        for widget in app.screen.walk_children():  # repaint everything under the toast
            if not isinstance(widget, Toast):
                widget.refresh()
        app.screen.query_one(StatusBar).draft_state = "草稿已保存 测试"
        await pilot.pause()
        await pilot.pause()
        assert any(type(u).__name__ == "ChopsUpdate" for u in updates)
        terminal = Terminal(80, 24)
        for update in updates:
            terminal.apply(update, app)
        assert without_space(terminal.text(toast.content_region)) == without_space(title + message)
        # And the whole terminal is what a full repaint would draw.
        assert terminal.cells == [row[:80] + [" "] * (80 - len(row)) for row in
                                  grid(screen_strips(app))]


class Split(App[None]):
    """A line cut at column 62, under where a toast's first wide character starts (61)."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("左", id="left")
            yield Static("右", id="right")

    CSS = "Horizontal { height: 1fr; } Static { height: 1fr; } #left { width: 62; } #right { width: 1fr; }"


async def test_textual_alone_drops_the_character_on_the_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: with Textual's own compositor the same toast loses a character, with
    the console's fix it does not."""
    wide_chars.keep_wide_characters_whole()
    for chops, whole in ((wide_chars.TEXTUAL_RENDER_CHOPS, False), (wide_chars._render_chops, True)):
        monkeypatch.setattr(wide_chars.Compositor, "_render_chops", chops)
        app = Split()
        async with app.run_test(size=(120, 10), notifications=True) as pilot:
            drawn = await shown_toast(pilot, "提交成功", "已受理并保存")
            assert (without_space(drawn) == "提交成功已受理并保存") is whole, drawn
