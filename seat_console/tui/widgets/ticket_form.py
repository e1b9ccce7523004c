"""工单 pane: the ticket form of the current call. Keeps everything typed, even when invalid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from seat_console.core import clock
from seat_console.core.phrases.forbidden import Hit
from seat_console.core.taxonomy import Taxonomy
from seat_console.core.ticket_contract import input_limit
from seat_console.core.ticket_codes import (
    CHANNELS,
    DISPOSITIONS,
    FIELD_LABELS,
    FORM_DISPOSITIONS,
    REQUEST_TYPES,
    URGENCIES,
)
from seat_console.tui.widgets.domain_picker import DomainPicker
from seat_console.tui.widgets.forbidden_text import forbidden_text
from seat_console.core.validation import check_phone
from seat_console.core.plain_text import printable
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain

INPUTS = ("caller_name", "caller_phone", "caller_address", "incident_time", "incident_place",
          "course", "current_state", "demand", "department", "dispatch_opinion",
          "three_way_result", "co_departments")
TEXT_AREAS = ("content", "reply")
SELECTS = {"request_type": REQUEST_TYPES, "channel": CHANNELS, "urgency": URGENCIES}
CHECKED_FIELDS = (*INPUTS, *TEXT_AREAS)  # fields the forbidden-phrase check reads
DISPOSITION_KEYS = ("disposition", "disposition_reason", "emergency_service", "emergency_at")
NO_DISPOSITION = dict.fromkeys(DISPOSITION_KEYS, "")


def _input(name: str, placeholder: str) -> Input:
    """A one-line field, as long as the ticket contract allows. Focus puts the cursor at the
    end, never selects the text: the next key must not wipe a pre-filled value (the caller's
    number)."""
    return Input(id=name, placeholder=placeholder, max_length=input_limit(name) or 0,
                 select_on_focus=False, compact=True)


def _row(label: str, *fields: Widget, classes: str = "") -> Horizontal:
    """One labelled line of the form."""
    return Horizontal(Label(label, classes="field-label"), *fields,
                      classes=f"form-row {classes}".strip())


class TicketForm(VerticalScroll):
    """Name, phone, address, 诉求类型, 保密, 诉求内容 and 答复, with inline validation."""


    @dataclass
    class Edited(Message):
        """Something in the form changed (the screen autosaves and re-checks)."""

    @dataclass
    class SubmitRequested(Message):
        fields: dict[str, Any]

    @dataclass
    class ConfidentialityAsked(Message):
        """投诉/举报 chosen: the agent must ask whether the caller wants confidentiality."""

    def __init__(self, taxonomy: Taxonomy | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.taxonomy = taxonomy
        self._errors: dict[str, str] = {}
        self._disposition: dict[str, Any] = dict(NO_DISPOSITION)
        self._kb_article_id = ""
        self._referral: dict[str, Any] = {}
        self._linked: list[str] = []  # ids of earlier tickets this one is linked to
        self._linked_numbers: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("姓名", classes="field-label")
            yield _input("caller_name", "如 张先生 / 匿名")
            yield Label("电话", classes="field-label")
            yield _input("caller_phone", "手机或 区号-号码")
        with Horizontal(classes="form-row"):
            yield Label("地址", classes="field-label")
            yield _input("caller_address", "区/街道/小区/门牌")
            yield Select([(label, code) for code, label in REQUEST_TYPES.items()],
                         id="request_type", prompt="诉求类型", compact=True)
            yield Checkbox("保密", id="confidential", compact=True)
        yield Static("", id="repeat-banner")
        yield Static("", id="scope-banner")
        content = TextArea(id="content", soft_wrap=True, show_line_numbers=False)
        content.border_title = "诉求内容"
        yield content
        with Horizontal(classes="form-row domain-row"):
            yield Label("领域", classes="field-label")
            yield DomainPicker(id="domain-picker")
            yield Select([(label, code) for code, label in CHANNELS.items()], id="channel",
                         value="phone", allow_blank=False, compact=True)
            yield Select([(label, code) for code, label in URGENCIES.items()], id="urgency",
                         value="normal", allow_blank=False, compact=True)
        yield _row("事发", _input("incident_time", "事发时间"),
                   _input("incident_place", "事发地点"))
        yield _row("经过", _input("course", "经过"))
        yield _row("现状", _input("current_state", "现状"))
        yield _row("诉求", _input("demand", "来电人的具体要求"))
        reply = TextArea(id="reply", soft_wrap=True, show_line_numbers=False)
        reply.border_title = "答复 / 办理意见"
        yield reply
        yield _row("处置", Select([(DISPOSITIONS[c], c) for c in FORM_DISPOSITIONS],
                                  id="disposition-select", prompt="处置方式", compact=True),
                   _input("department", "承办单位(按诉求领域预填)"))
        yield _row("派单", _input("dispatch_opinion", "派单意见"), classes="transfer-only")
        yield _row("协办", _input("co_departments", "协办单位,以顿号分隔"),
                   classes="transfer-only")
        yield _row("结果", _input("three_way_result", "三方通话结果"),
                   classes="three-way-only")
        yield Static("", id="disposition-line")
        yield Static("", id="link-line")
        # Docked at the bottom of the pane: always on screen, however far the form scrolls.
        with Vertical(id="form-messages"):
            yield Static("", id="phrase-warnings")
            yield Static("", id="form-errors")
            yield Static("", id="form-hint")

    # -- values -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one(DomainPicker).taxonomy = self.taxonomy
        self._show_disposition_rows()
        self.show_repeat(None)
        self.show_scope(None)
        self.query_one("#form-hint", Static).update(hint(
            self, "{console.submit} 提交 · Tab 下一项 · {console.new_call} 新来电 · "
                  "{console.focus_phrases} 服务用语"))

    @on(DescendantFocus)
    def _cursor_to_end(self, event: DescendantFocus) -> None:
        """Focus lands at the end of a one-line field: typing adds to it, never replaces it."""
        if isinstance(event.widget, Input):
            event.widget.cursor_position = len(event.widget.value)

    def _select(self, name: str) -> str:
        value = self.query_one(f"#{name}", Select).value
        return value if isinstance(value, str) else ""

    def values(self) -> dict[str, Any]:
        picked = self._select("disposition-select")
        return {
            **{name: self.query_one(f"#{name}", Input).value for name in INPUTS},
            **{name: self._select(name) for name in SELECTS},
            "confidential": self.query_one("#confidential", Checkbox).value,
            **{name: self.query_one(f"#{name}", TextArea).text for name in TEXT_AREAS},
            "domain": self.query_one(DomainPicker).code,
            **self._disposition,
            "disposition": self._disposition["disposition"] or picked,
            "kb_article_id": self._kb_article_id,
            "referral": dict(self._referral),
            "linked_ticket_ids": list(self._linked),
        }

    def load(self, fields: dict[str, Any]) -> None:
        """Put saved values back (draft recovery, caller pre-fill)."""
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed, Checkbox.Changed):
            for name in INPUTS:
                if name in fields:
                    self.query_one(f"#{name}", Input).value = str(fields[name] or "")
            for name, codes in SELECTS.items():
                if fields.get(name) in codes:
                    self.query_one(f"#{name}", Select).value = fields[name]
            if fields.get("disposition") in FORM_DISPOSITIONS:
                self.query_one("#disposition-select", Select).value = fields["disposition"]
            if "domain" in fields:
                self.query_one(DomainPicker).set_code(str(fields["domain"] or ""))
            if "confidential" in fields:
                self.query_one("#confidential", Checkbox).value = bool(fields["confidential"])
            for name in TEXT_AREAS:
                if name in fields:
                    area = self.query_one(f"#{name}", TextArea)
                    area.load_text(str(fields[name] or ""))
                    area.move_cursor(area.document.end)
        if fields.get("disposition") and fields["disposition"] not in FORM_DISPOSITIONS:
            self.set_disposition({k: fields.get(k) or "" for k in DISPOSITION_KEYS}, edited=False)
        if fields.get("linked_ticket_ids"):
            self._linked = list(fields["linked_ticket_ids"])
        if "kb_article_id" in fields or "referral" in fields:
            self._kb_article_id = str(fields.get("kb_article_id") or "")
            self._referral = dict(fields.get("referral") or {})
            self._show_links()

    def fill_if_empty(self, fields: dict[str, str]) -> None:
        current = self.values()
        self.load({k: v for k, v in fields.items() if v and not current.get(k)})

    def clear(self) -> None:
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed, Checkbox.Changed):
            for name in INPUTS:
                self.query_one(f"#{name}", Input).value = ""
            for name in ("request_type", "disposition-select"):
                self.query_one(f"#{name}", Select).clear()
            self.query_one("#channel", Select).value = "phone"
            self.query_one("#urgency", Select).value = "normal"
            self.query_one(DomainPicker).set_code("")
            self.query_one("#confidential", Checkbox).value = False
            for name in TEXT_AREAS:
                self.query_one(f"#{name}", TextArea).load_text("")
        self.set_disposition(None, edited=False)
        self._kb_article_id, self._referral = "", {}
        self._linked, self._linked_numbers = [], []
        self.show_repeat(None)
        self._show_links()
        self.show_errors({})
        self.show_forbidden({})
        self.show_scope(None)

    def insert_reply(self, text: str) -> None:
        """Insert a phrase at the cursor of the reply field."""
        reply = self.query_one("#reply", TextArea)
        reply.insert(text)
        reply.focus()

    # -- knowledge base: the answer used, the enterprise referred ----------------------------------
    def adopt_answer(self, article_id: str, answer: str) -> None:
        """直接答复 from a KB article: its answer goes into the reply, the article is linked."""
        reply = self.query_one("#reply", TextArea)
        if reply.text.strip():
            reply.insert("\n" + answer, reply.document.end)
        else:
            reply.load_text(answer)
        self._kb_article_id = article_id
        if not self.disposition:
            self.query_one("#disposition-select", Select).value = "direct_answer"
        self._show_links()
        self.post_message(self.Edited())

    def set_referral(self, planned: dict[str, Any]) -> None:
        self._referral = dict(planned)
        self._show_links()
        self.post_message(self.Edited())

    def link_ticket(self, ticket_id: str, number: str) -> None:
        if ticket_id not in self._linked:
            self._linked.append(ticket_id)
            self._linked_numbers.append(number)
        self._show_links()
        self.post_message(self.Edited())

    def show_repeat(self, banner: Text | None) -> None:
        widget = self.query_one("#repeat-banner", Static)
        widget.update(banner or "")
        widget.set_class(banner is not None, "-repeat")
        widget.display = banner is not None

    def _show_links(self) -> None:
        text = Text()
        if self._linked:
            text.append("关联原工单:" + "、".join(self._linked_numbers or self._linked) + "\n",
                        "bold")
        if self._kb_article_id:
            text.append(f"引用知识:{self._kb_article_id}\n", "dim")
        if self._referral:
            r = self._referral
            text.append(f"转介:{printable(r['enterprise'])}  {printable(r['phone'])}  企业反馈确认 "
                        f"{clock.short_time(r['enterprise_check_by'])[11:]} 前,回访服务对象 "
                        f"{clock.short_time(r['citizen_followup_by'])[5:]} 前", "bold")
        text.rstrip()
        self.query_one("#link-line", Static).update(text)

    # -- disposition (不予受理 / 紧急转警 by key) -------------------------------------------------
    def set_disposition(self, disposition: dict[str, Any] | None, *, edited: bool = True) -> None:
        self._disposition = dict(disposition or NO_DISPOSITION)
        line = self.query_one("#disposition-line", Static)
        code = self._disposition["disposition"]
        if not code:
            line.update("")
        elif code == "emergency":
            at = clock.short_time(self._disposition["emergency_at"])[11:]
            line.update(Text(f"处置:紧急转警 {self._disposition['emergency_service']}(记录于 {at})",
                             "bold"))
        else:
            reason = self._disposition["disposition_reason"]
            line.update(plain(f"处置:{DISPOSITIONS[code]}" + (f"({reason})" if reason else ""),
                              "bold"))
        if edited:
            self.post_message(self.Edited())

    @property
    def disposition(self) -> str:
        return str(self._disposition["disposition"] or self._select("disposition-select"))

    def _show_disposition_rows(self) -> None:
        picked = self._select("disposition-select")
        for row in self.query(".transfer-only"):
            row.display = picked == "transfer"
        for row in self.query(".three-way-only"):
            row.display = picked == "three_way"

    @on(Select.Changed, "#disposition-select")
    def _disposition_picked(self) -> None:
        self._show_disposition_rows()

    @on(Select.Changed, "#request_type")
    def _type_picked(self, event: Select.Changed) -> None:
        if event.value in ("complaint", "report") and not self.query_one("#confidential", Checkbox).value:
            self.post_message(self.ConfidentialityAsked())

    @on(DomainPicker.Picked)
    def _domain_picked(self, message: DomainPicker.Picked) -> None:
        department = self.query_one("#department", Input)
        if message.leaf and not department.value.strip():
            department.value = message.leaf.department
        if message.leaf and "domain" in self._errors:
            self.set_field_error("domain", None)
        self.post_message(self.Edited())

    # -- what the live checks found ---------------------------------------------------------------
    def show_forbidden(self, hits: dict[str, list[Hit]]) -> None:
        """Mark fields holding forbidden phrases and show each with its polite alternative."""
        for name in CHECKED_FIELDS:
            self.query_one(f"#{name}").set_class(bool(hits.get(name)), "-forbidden")
        self.query_one("#phrase-warnings", Static).update(forbidden_text(
            (FIELD_LABELS.get(name, name), hit) for name, field_hits in hits.items()
            for hit in field_hits))

    def show_scope(self, banner: Text | None, *, emergency: bool = False) -> None:
        widget = self.query_one("#scope-banner", Static)
        widget.update(banner or "")
        widget.display = banner is not None
        widget.set_class(banner is not None and emergency, "-emergency")
        widget.set_class(banner is not None and not emergency, "-not-accepted")

    # -- validation display -------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str], *, focus: bool = True) -> None:
        """Mark invalid fields and list the messages; focus the first invalid field."""
        self._errors = dict(errors)
        for name in (*INPUTS, *SELECTS, *TEXT_AREAS):
            self.query_one(f"#{name}").set_class(name in errors, "-invalid")
        text = "\n".join(f"✗ {FIELD_LABELS.get(k, k)}:{v}" for k, v in errors.items())
        self.query_one("#form-errors", Static).update(plain(text))
        focusable = [k for k in errors if k in (*INPUTS, *SELECTS, *TEXT_AREAS)]
        if focusable and focus:
            self.query_one(f"#{focusable[0]}").focus()

    def set_field_error(self, name: str, message: str | None) -> None:
        errors = {k: v for k, v in self._errors.items() if k != name}
        if message:
            errors[name] = message
        self.show_errors(errors, focus=False)

    @on(Input.Blurred, "#caller_phone")
    def _check_phone_on_leave(self, event: Input.Blurred) -> None:
        value = event.value.strip()
        result = check_phone(value) if value else None
        self.set_field_error("caller_phone", result.message if result and not result.ok else None)

    # -- events -------------------------------------------------------------------------------
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _edited(self) -> None:
        self.post_message(self.Edited())

    def action_submit(self) -> None:
        typed = self.query_one(DomainPicker).unpicked_text
        if typed:  # nothing is submitted with a 诉求领域 typed but never picked
            self.set_field_error("domain", f"“{typed}”未选定,请用 ↓ 和 Enter 从列表中选择,或清空")
            self.query_one("#domain-input").focus()
            return
        self.set_field_error("domain", None)
        self.post_message(self.SubmitRequested(self.values()))

    def focus_first_empty(self) -> None:
        values = self.values()
        for name in ("caller_name", "caller_phone", "caller_address", "request_type", "content"):
            if not values.get(name):
                self.query_one(f"#{name}").focus()
                return
        self.query_one("#content").focus()
