"""kill -9 of the real seat-console process mid-typing leaves the draft to recover on restart."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pexpect

from seat_console.config import load_config
from seat_console.core.drafts import load_draft, slot_for
from seat_console.core.workspace import open_workspace
from seat_console.tui.app import SeatConsoleApp

from .console_driver import restore_offered_draft

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
TYPED = "家里暖气片一直不热室温只有十四度已经报修三天没人来"
KEY_INTERVAL = 0.1
AUTOSAVE_BOUND = 1.0  # the draft may lag typing by at most ~1 s


def drain(child: pexpect.spawn) -> None:
    """Read whatever the console printed so it never blocks on a full pty."""
    try:
        while True:
            child.read_nonblocking(size=65536, timeout=0.01)
    except (pexpect.TIMEOUT, pexpect.EOF):
        pass


def keystroke(child: pexpect.spawn, text: str, pause: float = KEY_INTERVAL) -> None:
    child.send(text)
    end = time.monotonic() + pause
    while time.monotonic() < end:
        drain(child)


async def test_sigkill_mid_typing_then_restart_offers_the_draft(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "SEAT_CONSOLE_DATABASE": str(tmp_path / "hotline.db"),
           "SEAT_CONSOLE_AGENT_ID": "8123"}
    child = pexpect.spawn(SEAT_CONSOLE, env=env, cwd=str(tmp_path), dimensions=(36, 120),
                          encoding="utf-8", codec_errors="replace", timeout=20)
    try:
        child.expect("工单 F5")  # first screen is up
        keystroke(child, "", 0.5)
        keystroke(child, "\x0e", 0.4)  # Ctrl+N: new call
        keystroke(child, "13712345678\r", 0.5)
        for char in "孙先生":
            keystroke(child, char)
        keystroke(child, "\t\t\t\t\t", 0.4)  # phone, address, type, 保密 -> 诉求内容
        times = []
        for char in TYPED:
            keystroke(child, char)
            times.append(time.monotonic())
        killed_at = time.monotonic()
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
    must_have = sum(1 for t in times if t <= killed_at - AUTOSAVE_BOUND)
    assert TYPED.startswith(saved), saved
    assert len(saved) >= must_have, f"draft {len(saved)} chars behind; expected >= {must_have}"
    assert draft.fields["caller_name"] == "孙先生"
    assert draft.fields["caller_phone"] == "13712345678"

    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        values = await restore_offered_draft(pilot)
        assert values["content"] == saved and values["caller_name"] == "孙先生"
    workspace.db.close()
