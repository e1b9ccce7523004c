"""The typing-speed meter counts keys the agent typed, not adopted answers or pre-filled fields."""

from __future__ import annotations

from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import type_text, wait_until


async def test_meter_counts_typed_keys_only(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13712345678")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13712345678")
        meter = app.screen.call.meter
        assert meter.per_minute() == 0  # the number came with the call, nobody typed it
        form.query_one("#content").focus()
        await type_text(pilot, "楼上装修噪音太大晚上还在施工", burst=2)
        typed = meter.per_minute()
        assert typed > 0
        form.load({"caller_name": "张女士", "caller_address": "沈阳市和平区南京街100号"})
        form.adopt_answer("kb-noise-0001", "装修噪音可向所在区生态环境部门反映。" * 10)
        form.insert_reply("您好,这里是8890政务便民服务平台")
        await pilot.pause()
        assert meter.per_minute() == typed
        app.screen.query_one("#kb-query").focus()
        await type_text(pilot, "zaoyin")  # searching the KB is not filling the ticket
        assert meter.per_minute() == typed
