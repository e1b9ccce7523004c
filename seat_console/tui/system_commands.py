"""Textual's own texts in Chinese: the command palette (Ctrl+P) with its footer key, Textual's
system commands (主题, 退出 …) and the Ctrl+C hint. Agents see Chinese, never "palette"/"Quit".

A system command Textual adds in a later release and that is not translated here is left out
rather than shown in English; so is "Keys" (Textual's key panel lists Textual's own English
binding texts; F1 快捷键帮助 lists every binding in Chinese).

Also the app-wide key and palette command of 统计报表 (the app declares them, as the palette's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.theme import ThemeProvider

from seat_console.tui.keymap import hint

if TYPE_CHECKING:
    from textual.app import App

# Declared by the app: Textual then does not add its own binding described "palette".
PALETTE_BINDING = Binding("ctrl+p", "command_palette", "命令面板", id="app.command_palette",
                          show=False, priority=True, tooltip="打开命令面板,按名称执行操作")

# 统计报表 (tui/screens/stats_screen.py): an app-wide key (no widget of the console binds Ctrl+L;
# F1-F12 are all taken) and a palette command.
STATS_BINDING = Binding("ctrl+l", "stats", "统计报表", id="app.stats")
STATS_HELP = "今日/本月:我的与本站指标、每日趋势、诉求类型与领域分布、临期超期数 ({app.stats})"


def stats_command(app: App[Any], callback: Callable[[], Any]) -> SystemCommand:
    """The palette's 统计报表, naming the key it is on now."""
    return SystemCommand("统计报表", hint(app, STATS_HELP), callback)


# Textual's system command title -> (Chinese title, Chinese help).
TRANSLATIONS: dict[str, tuple[str, str]] = {
    "Theme": ("切换主题", "更换界面配色"),
    "Quit": ("退出", "退出座席工作台(草稿会保留)"),
    "Minimize": ("还原窗格", "取消最大化,恢复原来的大小"),
    "Maximize": ("最大化窗格", "让当前窗格占满屏幕"),
    "Screenshot": ("保存截图", "把当前屏幕保存为 SVG 图片"),
}


class ChinesePalette(CommandPalette):
    """Textual's command palette with Chinese key descriptions and placeholder (the same keys
    as CommandPalette.BINDINGS: a key bound here replaces the inherited binding)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+end, shift+end", "command_list('last')", "到最后", show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", "到最前", show=False),
        Binding("down", "cursor_down", "下一条", show=False),
        Binding("escape", "escape", "关闭命令面板"),
        Binding("pagedown", "command_list('page_down')", "下一页", show=False),
        Binding("pageup", "command_list('page_up')", "上一页", show=False),
        Binding("up", "command_list('cursor_up')", "上一条", show=False),
        # Screen's own (Textual describes them in English):
        Binding("tab", "app.focus_next", "下一项", show=False),
        Binding("shift+tab", "app.focus_previous", "上一项", show=False),
        Binding("ctrl+c,super+c", "screen.copy_text", "复制选中文字", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", "输入命令名称搜索…")
        super().__init__(**kwargs)


def open_palette(app: App[Any]) -> None:
    """Ctrl+P: the Chinese command palette."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(ChinesePalette(id="--command-palette"))


def _search_themes(app: App[Any]) -> Callable[[], None]:
    return lambda: app.push_screen(ChinesePalette(providers=[ThemeProvider],
                                                  placeholder="搜索主题…"))


def chinese_system_commands(app: App[Any], commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's system commands with Chinese titles and help; untranslated ones left out."""
    for command in commands:
        if command.title not in TRANSLATIONS:
            continue
        title, help_text = TRANSLATIONS[command.title]
        callback = _search_themes(app) if command.title == "Theme" else command.callback
        yield SystemCommand(title, help_text, callback, command.discover)


def quit_hint(app: App[Any]) -> None:
    """Ctrl+C does not quit (it copies): say in Chinese which key does."""
    for key, active in app.active_bindings.items():
        if active.binding.action in ("quit", "app.quit"):
            app.notify(f"按 {app.get_key_display(active.binding)} 退出座席工作台",
                       title="要退出吗?", markup=False)
            return
