"""F1: every key binding of the console, with the id the config's keymap can remap."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from seat_console.tui.keymap import BindingRow
from seat_console.tui.plain import plain


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "关闭", id="help.close")]

    def __init__(self, rows: list[BindingRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("快捷键一览(可在配置文件 keymap 中按 ID 修改)· Esc 关闭", classes="dialog-title")
            table: DataTable[Text] = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("按键", "功能", "区域", "绑定 ID")
            for row in self.rows:
                # Keys and descriptions may come from the config's keymap: never markup.
                table.add_row(*(plain(value, one_line=True) for value in
                                (row.keys, row.description, row.area, row.binding_id)))
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
