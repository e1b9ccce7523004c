"""`ticket add --batch` with `external_id` (the channel's message id) is idempotent: killed
mid-stream (SIGKILL) and run again on the same input, every line is stored exactly once, and a
line already stored answers the stored ticket with "duplicate": true and exit 0."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

from seat_console.core import clock
from tests.test_ticket_cli import SEAT_CONSOLE, run

LINES = 200
KILL_AFTER = 60


def _line(index: int) -> str:
    return json.dumps({"external_id": f"sms-{index:05d}", "phone": f"1380000{index:04d}",
                       "demand": f"咨询社保第{index}号", "request_type": "consult",
                       "channel": "sms"}, ensure_ascii=False)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env.update(clock.environment())
    return env


def _stored(tmp_path: Path) -> dict[str, int]:
    with sqlite3.connect(tmp_path / "hotline.db") as connection:
        rows = connection.execute(
            "SELECT external_id, count(*) FROM ticket GROUP BY external_id").fetchall()
    return dict(rows)


def test_the_same_external_id_answers_the_stored_ticket(tmp_path: Path) -> None:
    first = run(["add", "--json"], tmp_path, _line(1))
    again = run(["add", "--json"], tmp_path, _line(1))
    assert first.returncode == 0 and again.returncode == 0, again.stdout + again.stderr
    stored, duplicate = json.loads(first.stdout), json.loads(again.stdout)
    assert "duplicate" not in stored and duplicate.pop("duplicate") is True
    assert duplicate == stored
    assert _stored(tmp_path) == {"sms-00001": 1}
    text = run(["add"], tmp_path, _line(1))
    assert text.returncode == 0 and stored["number"] in text.stdout and "已存在" in text.stdout


def test_tickets_without_external_id_are_each_stored(tmp_path: Path) -> None:
    line = json.dumps({"phone": "13800000001", "demand": "咨询", "request_type": "consult",
                       "channel": "web"})
    assert run(["add", "--batch"], tmp_path, f"{line}\n{line}\n").returncode == 0
    assert _stored(tmp_path) == {None: 2}  # NULLs never collide


def test_batch_killed_mid_stream_and_rerun_stores_every_line_once(tmp_path: Path) -> None:
    lines = [_line(i) for i in range(LINES)]
    process = subprocess.Popen([SEAT_CONSOLE, "ticket", "add", "--batch"], cwd=tmp_path,
                               env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
    assert process.stdin and process.stdout
    process.stdin.write("\n".join(lines) + "\n")
    process.stdin.flush()
    first = [json.loads(process.stdout.readline()) for _ in range(KILL_AFTER)]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    before = _stored(tmp_path)
    assert KILL_AFTER <= len(before) < LINES, "killed mid-stream, not after the end"

    rerun = run(["add", "--batch"], tmp_path, "\n".join(lines) + "\n")
    assert rerun.returncode == 0, rerun.stdout[-500:] + rerun.stderr[-500:]
    answers = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert len(answers) == LINES and not any("errors" in a for a in answers)
    assert _stored(tmp_path) == {f"sms-{i:05d}": 1 for i in range(LINES)}
    duplicates = [a for a in answers if a.get("duplicate")]
    assert len(duplicates) == len(before)  # stored before the kill: answered, not stored again
    for answer, earlier in zip(answers, first):
        assert answer.pop("duplicate") is True and answer == earlier
    numbers = [a["number"] for a in answers]
    assert len(set(numbers)) == LINES
