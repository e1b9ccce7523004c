"""紧急转警 (F8): which emergency services the caller was sent to, one or several, whether or not
the 诉求 text showed an emergency. What was detected is ticked already; the agent decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static


class EmergencyDialog(ModalScreen[tuple[str, ...] | None]):
    """Returns the services ticked (sorted as listed), or None (Esc)."""

    BINDINGS = [
        Binding("enter", "confirm", "确认", id="emergency.confirm", priority=True),
        Binding("escape", "cancel", "取消", id="emergency.cancel"),
        *(Binding(str(number), f"toggle({number - 1})", show=False) for number in range(1, 10)),
    ]

    def __init__(self, services: Mapping[str, str], detected: Sequence[str] = ()) -> None:
        super().__init__()
        self.services = list(services)
        self.labels = dict(services)
        self.detected = set(detected)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("紧急转警:请选择转至的紧急服务,可多选(数字键或空格勾选,Enter 确认,Esc 取消)",
                        classes="dialog-title")
            yield SelectionList[str](
                *((f"{number}. {service}  {self.labels[service]}", service, service in self.detected)
                  for number, service in enumerate(self.services, start=1)),
                id="emergency-services")
            yield Static("", id="emergency-message", classes="error-text")

    def on_mount(self) -> None:
        choices = self.query_one(SelectionList)
        choices.highlighted = 0
        choices.focus()

    def action_toggle(self, index: int) -> None:
        if index < len(self.services):
            self.query_one(SelectionList).toggle(self.services[index])

    def action_confirm(self) -> None:
        chosen = set(self.query_one(SelectionList).selected)
        if not chosen:
            self.query_one("#emergency-message", Static).update("请至少勾选一项紧急服务")
            return
        self.dismiss(tuple(service for service in self.services if service in chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
