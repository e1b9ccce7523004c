"""Calls from telephony in the running console: the real app (Pilot) with its endpoint on a free
port, events posted over HTTP as a telephone system posts them, and the real `seat-console`
process on a pty driven by `seat-console call-event` processes."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from textual.widgets import Input, Static, TextArea

from seat_console.config import load_config
from seat_console.core import clock
from seat_console.core.cti import endpoint_file, read_endpoint
from seat_console.core.db import Database
from seat_console.core.models import Call, OutboxOp, Ticket
from seat_console.core.workspace import Workspace, open_workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.end_call_dialog import EndCallDialog
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import choose_request_type, type_text, wait_until
from .pty_console import ENTER, SEAT_CONSOLE, PtyConsole

RANG = clock.parse_iso("2026-11-25T10:00:00+08:00")
TOKEN = "s3cret-token"


def cti_workspace(tmp_path: Path, settings: str) -> Workspace:
    path = tmp_path / "seat-console.yaml"
    path.write_text('database: hotline.db\nsite_code: "210102"\nagent:\n  id: "8001"\n'
                    f"  name: 测试座席\nautosave_seconds: 0.2\ncti:\n{settings}",
                    encoding="utf-8")
    return open_workspace(load_config(path, env={}))


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """The console's endpoint on any free port."""
    ws = cti_workspace(tmp_path, "  port: 0\n")
    yield ws
    ws.db.close()


def calls(workspace: Workspace) -> list[Call]:
    with workspace.db.read() as session:
        return list(session.exec(select(Call).order_by(Call.started_at)).all())


def at(seconds: float) -> str:
    """Stop the clock `seconds` after RANG; the ISO stamp the console gives events then."""
    clock.set_clock(RANG + timedelta(seconds=seconds), frozen=True)
    return clock.now_iso()


async def endpoint(pilot: Any, workspace: Workspace) -> str:
    where = endpoint_file(workspace.config.database)
    await wait_until(pilot, where.exists)
    url = read_endpoint(where)
    assert url is not None
    return url


async def post(url: str, body: bytes | str | dict[str, str] | None = None, *,
               headers: dict[str, str] | None = None, method: str = "POST",
               **fields: str) -> tuple[int, Any]:
    """One request as a telephone system sends it (form-encoded fields by default)."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        if isinstance(body, dict):
            response = await client.request(method, url, json=body, headers=headers)
        elif body is not None:
            response = await client.request(method, url, content=body, headers=headers)
        else:
            response = await client.request(method, url, data=fields, headers=headers)
    return response.status_code, response.json()


def shown(widget: Any) -> str:
    return str(widget.render())


async def test_a_call_from_telephony_rings_opens_hangs_up_and_is_recorded(
        workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, telephony=True)
    async with app.run_test(size=(120, 36)) as pilot:
        url = await endpoint(pilot, workspace)
        console = app.console_screen
        status, form = console.query_one(StatusBar), console.query_one(TicketForm)
        await wait_until(pilot, lambda: not console.draft.offer_pending)

        rang = at(0)
        answer = await post(url, event="newCall", callId="c-1", **{"from": "13812345678"},
                            to="12345", direction="in")
        assert answer == (200, {"ok": True, "result": "ringing", "state": "ringing"})
        at(5)
        assert "来电振铃  138****5678 00:05" in shown(status)
        assert "13812345678" not in shown(status)
        assert form.values()["caller_phone"] == "" and console.call.started_at is None

        await pilot.press("f3")  # the agent looks something up while it rings
        await type_text(pilot, "噪音", burst=2)
        answered = at(8)
        assert (await post(url, event="answer", callId="c-1", **{"from": "13812345678"}))[0] == 200
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13812345678")
        summary = console.query_one("#caller-summary", Static)
        await wait_until(pilot, lambda: "13812345678" in shown(summary))
        assert "首次来电" in shown(summary)
        assert "来电振铃" not in shown(status)
        query = console.query_one("#kb-query", Input)
        assert app.focused is query and query.value == "噪音"  # the answer took no focus
        at(20)
        assert "通话 00:12" in shown(status)  # the timer runs from the answer

        console.query_one("#caller_name").focus()
        await type_text(pilot, "张女士", burst=3)
        await pilot.press("tab", "tab")
        await type_text(pilot, "沈阳市和平区南京街100号", burst=4)
        await pilot.press("tab")
        await choose_request_type(pilot, downs=3)  # 投诉
        content = console.query_one("#content", TextArea)
        content.focus()
        await pilot.pause()
        text = "楼上装修噪音太大,晚上十点还在施工,吵得孩子睡不着觉"
        await type_text(pilot, text[:6])
        hung_up = at(158)
        hangup = asyncio.create_task(post(url, event="hangup", callId="c-1",
                                          cause="normalClearing"))
        landed = None
        for index, character in enumerate(text[6:], start=6):
            await pilot.press(character)
            if landed is None and status.call_ended is not None:
                landed = index
        assert await hangup == (200, {"ok": True, "result": "ended", "state": "ended"})
        assert landed is not None and landed < len(text) - 1  # keys were typed after it
        assert content.text == text and app.focused is content
        assert form.values()["caller_name"] == "张女士"
        assert "已挂机 通话 02:30" in shown(status)
        assert calls(workspace) == []  # after-call work: the call ends with the ticket

        at(200)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(calls(workspace)) == 1)
        call = calls(workspace)[0]
        assert (call.started_at, call.answered_at, call.ended_at) == (rang, answered, hung_up)
        assert (call.cti_call_id, call.outcome, call.phone) == ("c-1", "ticket", "13812345678")
        with workspace.db.read() as session:
            ticket = session.exec(select(Ticket)).one()
            ops = session.exec(select(OutboxOp).where(OutboxOp.entity == "call")).all()
        assert call.ticket_id == ticket.id and ticket.call_started_at == answered
        assert [op.payload["cti_call_id"] for op in ops] == ["c-1"]
        await wait_until(pilot, lambda: "空闲" in shown(status))
        assert console.call.cti_call_id == "" and status.call_ended is None


async def test_a_call_hung_up_while_ringing_is_recorded_as_missed(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, telephony=True)
    async with app.run_test(size=(120, 36)) as pilot:
        url = await endpoint(pilot, workspace)
        status = app.console_screen.query_one(StatusBar)
        rang = at(0)
        await post(url, event="newCall", callId="m-1", **{"from": "024-12345678"})
        await post(url, event="newCall", callId="m-2", **{"from": "13900001111"})
        at(3)
        assert "来电振铃  024-****5678 00:03 +1" in shown(status)
        hung_up = at(9)
        answer = await post(url, event="hangup", callId="m-1", cause="cancel")
        assert answer == (200, {"ok": True, "result": "missed", "state": "ended"})
        assert "来电振铃  139****1111 00:09" in shown(status)  # the other one still rings
        assert (await post(url, event="hangup", callId="m-1"))[1]["result"] == "duplicate"
        rows = calls(workspace)
        assert [(c.cti_call_id, c.outcome, c.phone) for c in rows] == [
            ("m-1", "missed", "024-12345678")]
        assert (rows[0].started_at, rows[0].answered_at, rows[0].ended_at) == (rang, None, hung_up)
        await wait_until(pilot, lambda: any("未接来电 024-****5678" in str(n.message)
                                            for n in app._notifications))
        # the agent was away: nothing was opened, nothing typed changed
        assert app.console_screen.call.started_at is None
        with workspace.db.read() as session:
            assert [op.entity_id for op in session.exec(
                select(OutboxOp).where(OutboxOp.entity == "call")).all()] == [rows[0].id]


async def test_a_call_answered_during_another_waits_and_keeps_the_draft(
        workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13533334444", telephony=True)
    async with app.run_test(size=(120, 36)) as pilot:
        url = await endpoint(pilot, workspace)
        console = app.console_screen
        form = console.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13533334444")
        console.query_one("#caller_name").focus()
        await type_text(pilot, "卫女士", burst=3)
        answer = await post(url, event="answer", callId="w-1", **{"from": "13812345678"})
        assert answer == (200, {"ok": True, "result": "answered", "state": "answered",
                                "note": "answer without newCall"})
        await pilot.pause()
        assert form.values()["caller_phone"] == "13533334444"
        assert form.values()["caller_name"] == "卫女士" and console.call.cti_call_id == ""
        await type_text(pilot, "X")
        assert form.values()["caller_name"] == "卫女士X"  # the keys still land in the field
        await post(url, event="hangup", callId="w-1")

        await pilot.press("ctrl+e")  # the first call ends; the waiting one opens
        await wait_until(pilot, lambda: isinstance(app.screen, EndCallDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13812345678")
        assert console.call.cti_call_id == "w-1"
        assert "已挂机" in shown(console.query_one(StatusBar))
        first = calls(workspace)
        assert [(c.phone, c.cti_call_id, c.answered_at) for c in first] == [
            ("13533334444", "", None)]  # opened by hand: no ring time to count


async def test_a_call_opened_by_hand_while_it_rang_becomes_the_telephony_call(
        workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, telephony=True)
    async with app.run_test(size=(120, 36)) as pilot:
        url = await endpoint(pilot, workspace)
        console = app.console_screen
        await wait_until(pilot, lambda: not console.draft.offer_pending)
        rang = at(0)
        await post(url, event="newCall", callId="h-1", **{"from": "13812345678"})
        at(3)
        await pilot.press("ctrl+n")
        await type_text(pilot, "138 1234 5678", burst=4)
        await pilot.press("enter")
        form = console.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13812345678")
        answered = at(4)
        await post(url, event="answer", callId="h-1")
        hung_up = at(30)
        await post(url, event="hangup", callId="h-1")
        assert console.shift.telephony.waiting == []  # the same call, not a second one
        assert "已挂机" in shown(console.query_one(StatusBar))
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: isinstance(app.screen, EndCallDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(calls(workspace)) == 1)
        call = calls(workspace)[0]
        assert (call.cti_call_id, call.started_at, call.answered_at, call.ended_at) == (
            "h-1", rang, answered, hung_up)


async def test_refused_requests_say_why_and_change_nothing(tmp_path: Path) -> None:
    workspace = cti_workspace(tmp_path, f"  port: 0\n  token: {TOKEN}\n")
    app = SeatConsoleApp(workspace, telephony=True)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            url = await endpoint(pilot, workspace)
            assert url.endswith("/cti")
            base = url.removesuffix("/cti")
            good = f"{url}/{TOKEN}"
            ring = {"event": "newCall", "callId": "r-1", "from": "13812345678"}
            for request, status, error in [
                (dict(url=url, **ring), 401, "missing or wrong token"),
                (dict(url=f"{url}/wrong-token", **ring), 401, "missing or wrong token"),
                (dict(url=f"{base}/other/{TOKEN}", **ring), 404, "unknown path"),
                (dict(url=good, method="GET"), 405, "only POST"),
                (dict(url=good, event="ring", callId="r-1"), 400, "unknown event 'ring'"),
                (dict(url=good, event="newCall"), 400, "'callId' is required"),
                (dict(url=good, event="newCall", callId="x" * 101), 400, "longer than 100"),
                (dict(url=good, event="newCall", callId="a\tb"), 400, "control characters"),
                (dict(url=good, event="hangup", callId="r-1", direction="sideways"), 400,
                 "direction must be"),
                (dict(url=good, body=b"event=newCall&callId=" + b"x" * 9000), 413,
                 "larger than 8192"),
                (dict(url=good, body=b"{}", headers={"Content-Type": "text/plain"}), 415,
                 "unsupported Content-Type"),
                (dict(url=good, body=b'["newCall"]', headers={
                    "Content-Type": "application/json"}), 400, "expected a JSON object"),
                (dict(url=good, headers={"Origin": "http://evil.example"}, **ring), 403,
                 "web pages"),
            ]:
                target = request.pop("url")
                got_status, got = await post(target, **request)
                assert (got_status, got["ok"]) == (status, False), (request, got)
                assert error in got["error"], (request, got)
            # raw requests a JSON client cannot send: no length, a wrong Host
            assert await raw(url, b"POST /cti/" + TOKEN.encode() + b" HTTP/1.1\r\n"
                             b"Host: 127.0.0.1\r\n\r\n") == (411, "Content-Length required")
            assert await raw(url, b"POST /cti HTTP/1.1\r\nHost: attacker.example\r\n"
                             b"Content-Length: 0\r\n\r\n") == (403, "Host must be 127.0.0.1 "
                                                               "or localhost")
            assert await raw(url, b"hello\r\n\r\n") == (400, "malformed request line")
            assert app.telephony is not None
            app.telephony.request_seconds = 0.3
            assert await raw(url, b"POST /cti HTTP/1.1\r\nHost: 127") == (  # and nothing more
                408, "request not complete within 0.3 s")
            status_bar = app.console_screen.query_one(StatusBar)
            assert "来电振铃" not in shown(status_bar) and calls(workspace) == []

            # the token in the path (as Zammad does) or as a Bearer header; a JSON body
            json_ring = {**ring, "direction": "in", "user": ["王"]}
            assert await post(f"{base}/api/v1/cti/{TOKEN}", json_ring) == (
                200, {"ok": True, "result": "ringing", "state": "ringing"})
            assert await post(url, headers={"Authorization": f"Bearer {TOKEN}"}, **ring) == (
                200, {"ok": True, "result": "duplicate", "state": "ringing",
                      "note": "callId already known"})
            assert await post(good, event="hangup", callId="nobody") == (
                200, {"ok": True, "result": "ignored", "state": None,
                      "note": "hangup of an unknown callId"})
            await wait_until(pilot, lambda: "来电振铃" in shown(status_bar))
    finally:
        workspace.db.close()
    assert not endpoint_file(workspace.config.database).exists()  # removed when it closed


async def raw(url: str, request: bytes) -> tuple[int, str]:
    port = int(url.split(":")[2].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)["error"]


async def test_a_taken_port_leaves_the_console_working_without_telephony(
        tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        workspace = cti_workspace(tmp_path, f"  port: {port}\n")
        app = SeatConsoleApp(workspace, telephony=True)
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                status = app.console_screen.query_one(StatusBar)
                await wait_until(pilot, lambda: "话务未连接" in shown(status))
                assert any(f"端口 {port} 已被占用" in str(n.message) for n in app._notifications)
                await pilot.press("ctrl+n")  # calls are started by hand
                await type_text(pilot, "13812345678")
                await pilot.press("enter")
                form = app.console_screen.query_one(TicketForm)
                await wait_until(pilot, lambda: form.values()["caller_phone"] == "13812345678")
                assert isinstance(app.screen, ConsoleScreen)
        finally:
            workspace.db.close()
        assert not endpoint_file(workspace.config.database).exists()


def test_disabled_or_not_asked_the_console_does_not_listen(tmp_path: Path) -> None:
    off = cti_workspace(tmp_path, "  enabled: false\n  port: 0\n")
    try:
        assert SeatConsoleApp(off, telephony=True).telephony is None
    finally:
        off.db.close()


# -- the command-line sender -------------------------------------------------------------------
def cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env.update(clock.environment(), SEAT_CONSOLE_DATABASE=str(workdir / "hotline.db"))
    return subprocess.run([SEAT_CONSOLE, "call-event", *args], capture_output=True, text=True,
                          cwd=workdir, env=env, timeout=60)


def test_call_event_without_a_console_says_so(tmp_path: Path) -> None:
    missing = cli(tmp_path, "newCall", "--call-id", "x", "--from", "13812345678")
    assert missing.returncode == 1
    assert "no console is listening" in missing.stderr and "hotline.db.cti" in missing.stderr
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/cti"
    refused = cli(tmp_path, "hangup", "--call-id", "x", "--url", url)
    assert refused.returncode == 1 and f"no console is listening at {url}" in refused.stderr
    assert not (tmp_path / "seat-console.yaml").exists()  # a sender creates nothing


def test_the_real_console_takes_events_from_call_event_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAT_CONSOLE_CTI_PORT", "0")
    console = PtyConsole(tmp_path)
    where = tmp_path / "hotline.db.cti"
    try:
        end = time.monotonic() + 30
        while not where.exists():
            assert time.monotonic() < end, "the console wrote no endpoint file"
            console.drain(0.05)
        assert stat.S_IMODE(where.stat().st_mode) == 0o600
        ring = cli(tmp_path, "newCall", "--call-id", "pty-1", "--from", "13812345678",
                   "--to", "12345")
        assert ring.returncode == 0, ring.stderr
        assert ring.stdout.strip() == "newCall callId=pty-1: ringing, call ringing"
        console.wait_for("来电振铃")
        answer = cli(tmp_path, "answer", "--call-id", "pty-1", "--json")
        assert answer.returncode == 0 and '"result": "answered"' in answer.stdout
        console.wait_for("13812345678")  # the caller pane and the form
        bad = cli(tmp_path, "hangup", "--call-id", "y" * 101)
        assert bad.returncode == 2 and "longer than 100 characters" in bad.stderr
        hangup = cli(tmp_path, "hangup", "--call-id", "pty-1", "--cause", "normalClearing")
        assert hangup.returncode == 0, hangup.stderr
        console.wait_for("已挂机")
        console.child.sendcontrol("e")
        console.wait_for("挂断")
        console.child.send(ENTER)
        console.wait_for("来电已结束")
    finally:
        console.close()
    assert not where.exists()
    log = (tmp_path / "seat-console.log").read_text(encoding="utf-8")
    assert "cti answered: answer callId='pty-1'" in log and "138****5678" in log
    assert "13812345678" not in log  # never in clear
    db = Database(tmp_path / "hotline.db")
    try:
        with db.read() as session:
            call = session.exec(select(Call)).one()
    finally:
        db.close()
    assert (call.cti_call_id, call.phone, call.outcome) == ("pty-1", "13812345678", "no_ticket")
    assert call.answered_at is not None
    assert call.started_at < call.answered_at < call.ended_at
