"""The form's fields are as long as the ticket contract allows, no longer, and submitting checks
every field against the same contract (core/tickets.validate)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from seat_console.core.ticket_contract import FIELDS, input_limit
from seat_console.core.tickets import TicketInput, validate
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.widgets.ticket_form import INPUTS, TicketForm


async def test_every_input_takes_its_limit_from_the_contract(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        for name in INPUTS:
            assert form.query_one(f"#{name}", Input).max_length == input_limit(name), name
        course = form.query_one("#course", Input)
        course.focus()
        await pilot.pause()
        course.post_message(events.Paste("经" * 1990))  # a paste, then whole characters
        await pilot.pause()
        await pilot.press(*"过" * 12)
        await pilot.pause()
        assert len(course.value) == FIELDS["course"].max_length == 2000
        assert course.value.endswith("过" * 10)


def test_validate_checks_every_field_through_the_contract() -> None:
    form = TicketInput(caller_name="张先生", caller_phone="13800000001", request_type="consult",
                       content="咨询", course="经" * 2001, current_state="况" * 1001,
                       incident_place="地" * 201, domain="d" * 81, kb_article_id="k" * 81,
                       dispatch_opinion="见" * 1001, three_way_result="果" * 1001,
                       typing_cpm=-1, first_text_at="昨天", external_id="x" * 101)
    errors = validate(form)
    assert set(errors) == {"course", "current_state", "incident_place", "domain", "kb_article_id",
                           "dispatch_opinion", "three_way_result", "typing_cpm", "first_text_at",
                           "external_id"}
    assert errors["course"].startswith("不能超过 2000 字")
    ok = TicketInput(caller_name="张先生", caller_phone="13800000001", request_type="consult",
                     content="咨询", course="经" * 2000, emergency_at="")
    assert validate(ok) == {}
