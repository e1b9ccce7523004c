"""工单 pane: the ticket form of the current call. Keeps everything typed, even when invalid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from seat_console.core.ticket_codes import FIELD_LABELS, REQUEST_TYPES
from seat_console.core.validation import check_phone

TEXT_FIELDS = ("caller_name", "caller_phone", "caller_address")


class TicketForm(VerticalScroll):
    """Name, phone, address, 诉求类型, 保密 and 诉求内容, with inline validation."""

    BORDER_TITLE = "工单 F5"
    BINDINGS = [
        Binding("ctrl+s", "submit", "提交工单", id="ticket.submit"),
    ]

    @dataclass
    class Edited(Message):
        """Something in the form changed (the app autosaves the draft)."""

    @dataclass
    class SubmitRequested(Message):
        fields: dict[str, Any]

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("姓名", classes="field-label")
            yield Input(id="caller_name", placeholder="如 张先生 / 匿名", max_length=30)
            yield Label("电话", classes="field-label")
            yield Input(id="caller_phone", placeholder="手机或 区号-号码", max_length=24)
        with Horizontal(classes="form-row"):
            yield Label("地址", classes="field-label")
            yield Input(id="caller_address", placeholder="区/街道/小区/门牌", max_length=200)
        with Horizontal(classes="form-row"):
            yield Label("类型", classes="field-label")
            yield Select(
                [(label, code) for code, label in REQUEST_TYPES.items()],
                id="request_type",
                prompt="诉求类型",
            )
            yield Checkbox("保密", id="confidential")
        yield Label("诉求内容", classes="field-label")
        yield TextArea(id="content", soft_wrap=True, show_line_numbers=False)
        yield Static("", id="form-errors")
        yield Static("Ctrl+S 提交 · Tab 下一项 · Ctrl+N 新来电", id="form-hint")

    # -- values -------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        request_type = self.query_one("#request_type", Select).value
        return {
            **{name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS},
            "request_type": request_type if isinstance(request_type, str) else "",
            "confidential": self.query_one("#confidential", Checkbox).value,
            "content": self.query_one("#content", TextArea).text,
        }

    def load(self, fields: dict[str, Any]) -> None:
        """Put saved values back (draft recovery, caller pre-fill)."""
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed, Checkbox.Changed):
            for name in TEXT_FIELDS:
                if name in fields:
                    self.query_one(f"#{name}", Input).value = str(fields[name] or "")
            if fields.get("request_type") in REQUEST_TYPES:
                self.query_one("#request_type", Select).value = fields["request_type"]
            if "confidential" in fields:
                self.query_one("#confidential", Checkbox).value = bool(fields["confidential"])
            if "content" in fields:
                self.query_one("#content", TextArea).load_text(str(fields["content"] or ""))

    def fill_if_empty(self, fields: dict[str, str]) -> None:
        self.load({k: v for k, v in fields.items() if v and not self.values().get(k)})

    def clear(self) -> None:
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed, Checkbox.Changed):
            for name in TEXT_FIELDS:
                self.query_one(f"#{name}", Input).value = ""
            self.query_one("#request_type", Select).clear()
            self.query_one("#confidential", Checkbox).value = False
            self.query_one("#content", TextArea).load_text("")
        self.show_errors({})

    # -- validation display -------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str], *, focus: bool = True) -> None:
        """Mark invalid fields and list the messages; focus the first invalid field."""
        self._errors = dict(errors)
        for name in (*TEXT_FIELDS, "request_type", "content"):
            self.query_one(f"#{name}").set_class(name in errors, "-invalid")
        text = "\n".join(f"✗ {FIELD_LABELS.get(k, k)}:{v}" for k, v in errors.items())
        self.query_one("#form-errors", Static).update(text)
        if errors and focus:
            self.query_one(f"#{next(iter(errors))}").focus()

    def set_field_error(self, name: str, message: str | None) -> None:
        errors = {k: v for k, v in getattr(self, "_errors", {}).items() if k != name}
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
        self.post_message(self.SubmitRequested(self.values()))

    def focus_first_empty(self) -> None:
        for name in (*TEXT_FIELDS, "request_type", "content"):
            if not self.values().get(name):
                self.query_one(f"#{name}").focus()
                return
        self.query_one("#content").focus()
