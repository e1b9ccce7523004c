"""知识库 pane: search-as-you-type over the knowledge base and service directory."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from seat_console.core.kb.simple_search import Hit, SimpleSearch
from seat_console.core.models import KbArticle

DEBOUNCE_SECONDS = 0.12
MAX_HITS = 50


class KbPane(Vertical):
    BORDER_TITLE = "知识库 F3"

    @dataclass
    class Opened(Message):
        """The agent opened an article or directory entry."""

        article_id: str

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._index: SimpleSearch | None = None

    def compose(self) -> ComposeResult:
        yield Input(id="kb-query", placeholder="输入关键词搜索知识库和便民服务信息库")
        yield OptionList(id="kb-hits")
        yield Static("知识库加载中…", id="kb-status")

    def article(self, article_id: str) -> KbArticle | None:
        return self._index.get(article_id) if self._index else None

    def set_index(self, index: SimpleSearch) -> None:
        self._index = index
        self.query_one("#kb-status", Static).update(f"共 {len(index)} 条 · ↓ 选择 · Enter 打开")
        query = self.query_one("#kb-query", Input).value
        if query:
            self.search(query)

    @on(Input.Changed, "#kb-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#kb-query")
    def _to_hits(self) -> None:
        hits = self.query_one("#kb-hits", OptionList)
        if hits.option_count:
            hits.highlighted = 0
            hits.focus()

    @work(exclusive=True, group="kb-search")
    async def search(self, query: str) -> None:
        """Debounced: a newer keystroke cancels this worker while it sleeps."""
        await asyncio.sleep(DEBOUNCE_SECONDS)
        if self._index is None:
            return
        hits = await asyncio.to_thread(self._index.search, query, MAX_HITS)
        if query != self.query_one("#kb-query", Input).value:
            return  # stale: the agent typed on
        self._show(query, hits)

    def _show(self, query: str, hits: list[Hit]) -> None:
        option_list = self.query_one("#kb-hits", OptionList)
        option_list.clear_options()
        for hit in hits:
            tag = "便民" if hit.kind == "directory" else hit.category
            label = Text.assemble((f"[{tag}] ", "dim"), hit.title, (f"  {hit.department}", "dim"))
            option_list.add_option(Option(label, id=hit.id))
        status = f"“{query}” 找到 {len(hits)} 条" if query.strip() else "输入关键词搜索"
        self.query_one("#kb-status", Static).update(status)

    @on(OptionList.OptionSelected, "#kb-hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(self.Opened(event.option.id))
