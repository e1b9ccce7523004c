"""Knowledge base: search engine, reader, adopting an answer, referrals and their reminders.

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

from textual import on

from seat_console.core.kb.store import engine_for_db, get_article
from seat_console.core.models import KbArticle
from seat_console.core.plain_text import printable
from seat_console.core.referrals import (
    DueCallback,
    due_callbacks,
    mark_callback_done,
    plan_referral,
)
from seat_console.tui.screens.article_reader import ArticleReader
from seat_console.tui.screens.console_base import ConsoleSlice, background
from seat_console.tui.screens.reminders_screen import RemindersScreen
from seat_console.tui.widgets.kb_pane import KbPane
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm
from seat_console.tui.keymap import hint


class KbSlice(ConsoleSlice):
    """A slice of the console screen; its state is set up by ConsoleScreen.__init__."""

    @background("kb-load")
    def _load_kb(self) -> None:
        self.from_thread(self.query_one(KbPane).set_engine, engine_for_db(self.workspace.db))

    @on(KbPane.Adopted)
    def _adopt(self, message: KbPane.Adopted) -> None:
        self._fetch_article(message.article_id, adopt=True)

    @background("kb-article")
    def _fetch_article(self, article_id: str, adopt: bool) -> None:
        article = get_article(self.workspace.db, article_id)
        if article is not None:
            self.from_thread(self._use_article if adopt else self._read_article, article)

    def _read_article(self, article: KbArticle) -> None:
        self.app.push_screen(ArticleReader(article))

    def _use_article(self, article: KbArticle) -> None:
        form = self.query_one(TicketForm)
        pane = self.query_one(PhrasePane)
        if article.kind == "directory":
            form.set_referral(plan_referral(article, self.workspace.referral_rules))
            pane.phase = "referral"
            self._update_phrase_context(enterprise=f"{article.title}(电话{article.extra.get('phone', '')})")
            # KB text in notifications: plain, never markup.
            self.notify(printable(f"已记录转介:{article.title},提交工单后按时回访"), title="转介",
                        markup=False)
        else:
            form.adopt_answer(article.id, article.body)
            pane.phase = "disposition"
            self.notify(printable(f"已将“{article.title}”的答复填入答复栏,并关联该知识"),
                        title="直接答复", markup=False)

    @on(KbPane.Opened)
    def _open_article(self, message: KbPane.Opened) -> None:
        self._fetch_article(message.article_id, adopt=False)

    @background("reminders", exclusive=True)
    def _load_reminders(self, notify: bool) -> None:
        self.from_thread(self._show_reminders, due_callbacks(self.workspace.db), notify)

    def _show_reminders(self, due: list[DueCallback], notify: bool) -> None:
        self.shift.due_callbacks = due
        self.query_one(StatusBar).reminders = len(due)
        for item in due:
            if notify and (item.referral_id, item.step) not in self.shift.reminded:
                self.shift.reminded.add((item.referral_id, item.step))
                self.notify(printable(f"{item.ticket_number} {item.enterprise}:{item.label}"
                                      f"({'已超时' if item.overdue else '已到期'})," + hint(self, "{console.reminders} 查看")),
                            title="转介回访提醒", severity="warning", timeout=8, markup=False)

    def action_reminders(self) -> None:
        def answered(done: DueCallback | None) -> None:
            if done is not None:
                self._mark_done(done)

        self.app.push_screen(RemindersScreen(list(self.shift.due_callbacks)), answered)

    @background("reminders-done")
    def _mark_done(self, done: DueCallback) -> None:
        mark_callback_done(self.workspace.db, done.referral_id, done.step, self.config.agent.id)
        self.from_thread(self.notify, printable(f"已记录:{done.ticket_number} {done.label}"),
                         markup=False)
        self._load_reminders(notify=False)
