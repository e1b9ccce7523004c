"""知识库 pane: search-as-you-type over the knowledge base and service directory."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from seat_console.core.kb.loader import shown_category, shown_department
from seat_console.core.kb.search import KbSearch, SearchHit
from seat_console.tui.plain import plain
from seat_console.tui.keymap import hint

DEBOUNCE_SECONDS = 0.12  # search once typing pauses this long
TICK_SECONDS = 0.04
MAX_HITS = 20


def hit_label(hit: SearchHit) -> Text:
    """Title with the matched parts highlighted; category and department on a second line."""
    title = plain(hit.title, one_line=True)  # same length as hit.title: the spans still fit
    for start, end in hit.spans:
        title.stylize("bold reverse", start, end)
    if hit.kind == "directory":
        tag, department = "便民服务", hit.department
    else:  # an export's article may have neither: say so (未分类 / 未注明)
        tag, department = shown_category(hit.category), shown_department(hit.department)
    second = f"  {tag} · {department}" if department.strip() else f"  {tag}"  # no dangling ·
    label = Text.assemble(title, "\n", plain(second, "dim", one_line=True))
    label.no_wrap, label.overflow = True, "ellipsis"
    return label


class KbPane(Vertical):
    BINDINGS = [
        Binding("ctrl+r", "adopt", "采用答复/转介", id="kb.adopt"),
    ]

    @dataclass
    class Opened(Message):
        """The agent opened an article or directory entry."""

        article_id: str

    @dataclass
    class Adopted(Message):
        """Use this entry for the ticket: an article's answer, or a referral to an enterprise."""

        article_id: str

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._engine: KbSearch | None = None
        self._pending: str | None = None  # query typed but not searched yet
        self._typed_at = 0.0
        self._shown: list[tuple[str, tuple[tuple[int, int], ...]]] = []

    def compose(self) -> ComposeResult:
        yield Input(id="kb-query", placeholder="关键词/拼音/首字母:公积金、gjj")
        yield OptionList(id="kb-hits")
        yield Static("知识库加载中…", id="kb-status")

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self._search_when_quiet)

    def set_engine(self, engine: KbSearch) -> None:
        self._engine = engine
        self._show_ready()
        query = self.query_one("#kb-query", Input).value
        if query:
            self.search(query)

    @on(Input.Changed, "#kb-query")
    def _query_changed(self, event: Input.Changed) -> None:
        # The keystroke only notes the query: no worker or timer is made per key.
        self._pending = event.value
        self._typed_at = time.monotonic()

    def _search_when_quiet(self) -> None:
        if self._pending is not None and time.monotonic() - self._typed_at >= DEBOUNCE_SECONDS:
            query, self._pending = self._pending, None
            self.search(query)

    @on(Input.Submitted, "#kb-query")
    def _to_hits(self) -> None:
        hits = self.query_one("#kb-hits", OptionList)
        if hits.option_count:
            hits.highlighted = 0
            hits.focus()

    @work(exclusive=True, group="kb-search", exit_on_error=False)
    async def search(self, query: str) -> None:
        """Search off the event loop; a newer search cancels this one, stale results are dropped."""
        if self._engine is None:
            return
        hits = await asyncio.to_thread(self._engine.search, query, MAX_HITS)
        if query != self.query_one("#kb-query", Input).value:
            return  # stale: the agent typed on
        self._show(query, hits)

    def _show(self, query: str, hits: list[SearchHit]) -> None:
        shown = [(hit.id, tuple(hit.spans)) for hit in hits]
        if shown != self._shown:  # re-rendering the list is the costly part: only on change
            self._shown = shown
            option_list = self.query_one("#kb-hits", OptionList)
            option_list.set_options([Option(hit_label(hit), id=hit.id) for hit in hits])
            if hits:
                option_list.highlighted = 0
        status = f"“{query}” 找到 {len(hits)} 条" if query.strip() else "输入关键词搜索"
        self.query_one("#kb-status", Static).update(plain(status, one_line=True))

    def _show_ready(self) -> None:
        if self._engine is not None:
            self.query_one("#kb-status", Static).update(
                f"共 {len(self._engine)} 条 · ↓ 选择 · Enter 打开 · "
                + hint(self, "{kb.adopt} 采用答复/转介"))

    def clear_query(self) -> None:
        """A call ended: its query and hits go (the next caller is another matter); a query typed
        while the next call rings stays."""
        with self.query_one("#kb-query", Input).prevent(Input.Changed):
            self.query_one("#kb-query", Input).value = ""
        self._pending = None
        self._shown = []
        self.query_one("#kb-hits", OptionList).clear_options()
        self._show_ready()

    def highlighted_id(self) -> str | None:
        option_list = self.query_one("#kb-hits", OptionList)
        if option_list.highlighted is None or not option_list.option_count:
            return None
        return option_list.get_option_at_index(option_list.highlighted).id

    def action_adopt(self) -> None:
        article_id = self.highlighted_id()
        if article_id:
            self.post_message(self.Adopted(article_id))
        else:
            self.notify("请先搜索并选择一条知识或便民服务企业", severity="warning")

    @on(OptionList.OptionSelected, "#kb-hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(self.Opened(event.option.id))
