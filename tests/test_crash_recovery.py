"""kill -9 of the real seat-console process mid-typing leaves the draft to recover on restart."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pexpect

from seat_console.config import load_config
from seat_console.core import clock
from seat_console.core.drafts import load_draft, slot_for
from seat_console.core.workspace import open_workspace
from seat_console.tui.app import SeatConsoleApp

from .console_driver import restore_offered_draft

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
TYPED = "家里暖气片一直不热室温只有十四度已经报修三天没人来"
CONFIRMED = 14  # typed, then waited for until saved; the rest is typed when the kill comes
KEY_INTERVAL = 0.1
STATE_TIMEOUT = 30  # seconds to wait for the console to reach a state (generous: loaded CI)
SAVED = re.compile(r"草稿已保存 \d\d:\d\d:\d\d")  # the status bar after an autosave


def pace(child: pexpect.spawn, seconds: float = KEY_INTERVAL) -> None:
    """Let `seconds` pass like a typist while reading the console's output into the buffer
    (so it never blocks on a full pty and later expects still see it)."""
    child.expect([pexpect.TIMEOUT], timeout=seconds)


def stored_content(database: Path, slot: str) -> str | None:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as raw:
        row = raw.execute("SELECT fields FROM draft WHERE slot = ?", (slot,)).fetchone()
    return json.loads(row[0])["content"] if row else None


def wait_until_saved(child: pexpect.spawn, database: Path, slot: str, content: str) -> None:
    """The status bar says 草稿已保存 and the draft in hotline.db holds `content` (a 草稿已保存
    drawn before the last keys were handled does not count: wait for the next one)."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while True:
        child.expect(SAVED, timeout=max(0.1, deadline - time.monotonic()))
        if stored_content(database, slot) == content:
            return


async def test_sigkill_mid_typing_then_restart_offers_the_draft(tmp_path: Path) -> None:
    database = tmp_path / "hotline.db"
    slot = slot_for("8123")
    env = {**os.environ, **clock.environment(), "TERM": "xterm-256color",
           "SEAT_CONSOLE_DATABASE": str(database), "SEAT_CONSOLE_AGENT_ID": "8123"}
    child = pexpect.spawn(SEAT_CONSOLE, env=env, cwd=str(tmp_path), dimensions=(36, 120),
                          encoding="utf-8", codec_errors="replace", timeout=STATE_TIMEOUT)
    try:
        child.expect_exact("工单 F5")  # first screen is up
        child.send("\x0e")  # Ctrl+N: new call
        child.expect_exact("新来电:请输入来电号码")  # the dialog has the focus
        child.send("13712345678\r")
        child.expect(SAVED)  # the form took the number (first draft), 姓名 has the focus
        child.send("孙先生")
        child.expect_exact("孙先生")
        child.send("\t\t\t\t\t")  # phone, address, type, 保密 -> 诉求内容
        for char in TYPED[:CONFIRMED]:
            child.send(char)
            pace(child)
        child.expect_exact(TYPED[:CONFIRMED])  # shown in 诉求内容: every key was handled
        wait_until_saved(child, database, slot, TYPED[:CONFIRMED])
        for char in TYPED[CONFIRMED:]:  # typing on; the kill comes right after the last key
            child.send(char)
            pace(child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.isalive():
            child.kill(signal.SIGKILL)
    assert child.signalstatus == signal.SIGKILL

    config = load_config(None, env={"SEAT_CONSOLE_DATABASE": str(tmp_path / "hotline.db")})
    workspace = open_workspace(config.model_copy(update={"agent": config.agent.model_copy(
        update={"id": "8123"})}))
    draft = load_draft(workspace.db, slot_for("8123"))
    assert draft is not None, "no draft survived the kill"
    saved = draft.fields["content"]
    # Everything typed up to the save the console confirmed survived; at most what was typed.
    assert saved.startswith(TYPED[:CONFIRMED]) and TYPED.startswith(saved), saved
    assert draft.fields["caller_name"] == "孙先生"
    assert draft.fields["caller_phone"] == "13712345678"

    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        values = await restore_offered_draft(pilot)
        assert values["content"] == saved and values["caller_name"] == "孙先生"
    workspace.db.close()


def test_kill_9_while_the_recovery_dialog_is_open_keeps_the_draft(tmp_path: Path) -> None:
    """kill -9 mid-typing, restart, kill -9 again while the draft is on offer (autosave periods
    pass first), restart: the draft is still offered, unchanged; restored, it is saved again."""
    from .pty_console import ENTER, TAB, PtyConsole

    database = tmp_path / "hotline.db"
    first = PtyConsole(tmp_path, "--call", "13712345678")
    try:
        first.wait_for("草稿已保存")
        first.type_keys(["孙先生", TAB, TAB, TAB, TAB, TAB, *TYPED[:CONFIRMED]], KEY_INTERVAL)
        first.wait_for(TYPED[:CONFIRMED])
        deadline = time.monotonic() + STATE_TIMEOUT
        while stored_content(database, slot_for("8001")) != TYPED[:CONFIRMED]:
            assert time.monotonic() < deadline, "the typed text was never saved"
            first.drain(0.1)
    finally:
        first.child.kill(signal.SIGKILL)
    before = load_draft_row(database)

    for _ in range(2):  # killed twice while the recovery dialog is open
        again = PtyConsole(tmp_path)
        try:
            again.wait_for("发现未提交的工单草稿")
            again.drain(2.0)  # several autosave periods pass with the dialog open
        finally:
            again.child.kill(signal.SIGKILL)
        assert load_draft_row(database) == before, "the draft on offer was overwritten"

    last = PtyConsole(tmp_path)
    try:
        last.wait_for("发现未提交的工单草稿")
        last.child.send(ENTER)
        last.wait_for("已恢复草稿")
        last.wait_for(TYPED[:CONFIRMED])  # the restored text is on screen
        deadline = time.monotonic() + STATE_TIMEOUT
        while load_draft_row(database)[1] == before[1]:  # saved again at once (new stamp)
            assert time.monotonic() < deadline, "the restored draft was not saved again"
            last.drain(0.1)
    finally:
        last.close()
    assert stored_content(database, slot_for("8001")) == TYPED[:CONFIRMED]


def load_draft_row(database: Path) -> tuple[str, str]:
    """(fields, updated_at) of the agent's draft as stored."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as raw:
        row = raw.execute("SELECT fields, updated_at FROM draft WHERE slot = ?",
                          (slot_for("8001"),)).fetchone()
    assert row is not None, "no draft stored"
    return row[0], row[1]
