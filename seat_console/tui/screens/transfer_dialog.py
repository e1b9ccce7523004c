"""转办 from the ticket view: ask for the lead department (承办单位), the 派单意见 and optional
协办单位. Returns a TransferOrder, or None when cancelled. The rule itself (both required) is
core.validation.transfer_errors; the dialog only shows its messages next to the fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from seat_console.core.tickets import split_departments
from seat_console.core.validation import transfer_errors

# Field of the rule -> the Input that holds it.
INPUTS = {"department": "#transfer-department", "dispatch_opinion": "#transfer-opinion"}


@dataclass(frozen=True)
class TransferOrder:
    """What the agent decided: where the ticket goes and what the department is to do."""

    department: str
    dispatch_opinion: str
    co_departments: list[str] = field(default_factory=list)


class TransferDialog(ModalScreen[TransferOrder | None]):
    """Tab between the fields, Enter confirms (when complete), Esc cancels."""

    DEFAULT_CSS = """
    TransferDialog #transfer-errors { color: $error; height: auto; }
    TransferDialog .transfer-label { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "取消", id="transfer.cancel")]

    def __init__(self, number: str, department: str = "", dispatch_opinion: str = "",
                 co_departments: list[str] | None = None) -> None:
        super().__init__()
        self.number = number
        self.initial = TransferOrder(department, dispatch_opinion, list(co_departments or []))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"转办工单 {self.number}(Tab 切换,Enter 确认,Esc 取消)",
                        classes="dialog-title")
            yield Label("承办单位(按诉求领域预填)", classes="transfer-label")
            yield Input(self.initial.department, id="transfer-department", max_length=100)
            yield Label("派单意见(必填:请承办单位做什么)", classes="transfer-label")
            yield Input(self.initial.dispatch_opinion, id="transfer-opinion", max_length=1000,
                        placeholder="如:请核查夜间施工许可并依法处理")
            yield Label("协办单位(可选,以顿号分隔)", classes="transfer-label")
            yield Input("、".join(self.initial.co_departments), id="transfer-co", max_length=200)
            yield Static("", id="transfer-errors")

    def on_mount(self) -> None:
        # The department is usually pre-filled: start where typing is needed.
        first = "#transfer-opinion" if self.initial.department.strip() else "#transfer-department"
        self.query_one(first, Input).focus()

    def order(self) -> TransferOrder:
        return TransferOrder(self.query_one("#transfer-department", Input).value.strip(),
                             self.query_one("#transfer-opinion", Input).value.strip(),
                             split_departments(self.query_one("#transfer-co", Input).value))

    @on(Input.Submitted)
    def _confirm(self, event: Input.Submitted) -> None:
        event.stop()
        order = self.order()
        errors = transfer_errors(order.department, order.dispatch_opinion)
        if errors:
            self.show_errors(errors)
            return
        self.dismiss(order)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Messages inside the dialog; the cursor goes to the first field to fix."""
        self.query_one("#transfer-errors", Static).update(
            "\n".join(f"✗ {message}" for message in errors.values()))
        first = next((INPUTS[name] for name in INPUTS if name in errors), None)
        if first:
            self.query_one(first, Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
