"""Read one KB article or directory entry in full."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from seat_console.core.kb.loader import shown_category, shown_department
from seat_console.core.models import KbArticle
from seat_console.tui.plain import plain


class ArticleReader(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "close", "关闭", id="reader.close")]

    def __init__(self, article: KbArticle) -> None:
        super().__init__()
        self.article = article

    def compose(self) -> ComposeResult:
        a = self.article
        kind = "便民服务信息库" if a.kind == "directory" else "知识库"
        header = Text.assemble(plain(a.title, "bold"), "\n", plain(
            f"{kind} · {shown_category(a.category)} · {shown_department(a.department)}" + (f" · 更新于 {a.updated}" if a.updated else ""),
            "dim"))
        with VerticalScroll(classes="dialog reader"):
            yield Static(header, classes="dialog-title")
            yield Static(plain(a.body), id="article-body")  # data, never markup
            if a.keywords:
                yield Static(plain("关键词:" + "、".join(a.keywords), "dim"))
            yield Static(Text("Esc 关闭", "dim italic"))

    def action_close(self) -> None:
        self.dismiss(None)
