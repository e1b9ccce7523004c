"""`seat-console ticket add | list | show | callback | export`, and no citizen data leaking from
them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from seat_console.core import clock

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
SECRET = {"caller_name": "欧阳明月", "phone": "13987654321", "address": "铁西区兴华街88号3单元"}


def run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env.update(clock.environment())  # the test's clock
    return subprocess.run([SEAT_CONSOLE, "ticket", *args], input=stdin, text=True,
                          encoding="utf-8", capture_output=True, cwd=tmp_path, env=env, timeout=60)


def add(tmp_path: Path, ticket: dict[str, object]) -> dict[str, object]:
    result = run(["add", "--json"], tmp_path, json.dumps(ticket, ensure_ascii=False))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_add_stores_a_ticket_from_another_channel(tmp_path: Path) -> None:
    stored = add(tmp_path, {"phone": "024-23456789", "demand": "小区路灯不亮", "request_type": "求助",
                            "channel": "信箱", "address": "和平区南京街1号", "domain": "路灯",
                            "occurred_at": "2026-11-20 晚上", "details": "已经坏了五天"})
    assert {"id", "number", "status", "deadline"} <= set(stored)
    assert stored["status"] == "accepted" and stored["channel"] == "mailbox"
    assert stored["department"] and stored["deadline"] and stored["response_due"]
    assert stored["course"] == "已经坏了五天" and stored["incident_time"] == "2026-11-20 晚上"


def test_invalid_ticket_is_refused_with_every_reason_and_nothing_stored(tmp_path: Path) -> None:
    result = run(["add", "--json"], tmp_path, json.dumps(
        {"phone": "1381234", "request_type": "咨", "channel": "电话", "confidential": "yes"}))
    assert result.returncode == 2
    errors = json.loads(result.stdout)["errors"]
    assert set(errors) == {"phone", "request_type", "demand", "confidential"}
    assert json.loads(run(["list", "--json"], tmp_path).stdout) == []


def test_batch_answers_one_line_each(tmp_path: Path) -> None:
    lines = [json.dumps({"phone": "13800000001", "demand": "咨询社保", "request_type": "consult",
                         "channel": "web"}),
             "{not json",
             json.dumps({"phone": "13800000002", "demand": "投诉噪音", "request_type": "投诉",
                         "channel": "短信"})]
    result = run(["add", "--batch"], tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 2  # one line was bad
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 3
    assert answers[0]["status"] == "accepted" and answers[2]["number"] != answers[0]["number"]
    assert answers[1]["line"] == 2 and "json" in answers[1]["errors"]


def test_confidential_ticket_never_leaks_from_list_show_export_or_log(tmp_path: Path) -> None:
    stored = add(tmp_path, {**SECRET, "demand": f"{SECRET['caller_name']}投诉邻居噪音,回电{SECRET['phone']}",
                            "request_type": "投诉", "channel": "网站", "confidential": True})
    outputs = [json.dumps(stored, ensure_ascii=False)]
    outputs.append(run(["list"], tmp_path).stdout)
    outputs.append(run(["list", "--json"], tmp_path).stdout)
    outputs.append(run(["show", str(stored["number"])], tmp_path).stdout)
    outputs.append(run(["show", str(stored["number"]), "--json"], tmp_path).stdout)
    from seat_console.core.db import Database
    from seat_console.core.lifecycle import transition

    db = Database(tmp_path / "hotline.db")
    try:
        transition(db, str(stored["id"]), "closed", actor="8001")
    finally:
        db.close()
    said = run(["callback", str(stored["number"]), "--satisfaction", "不满意", "--reason",
                "处办时间过长", "--first-contacted", "否"], tmp_path)
    assert said.returncode == 0, said.stderr
    outputs.append(said.stdout)
    assert run(["callback", str(stored["number"]), "--satisfaction", "满意"],
               tmp_path).returncode == 2  # 退回重办 now: no 回访 until closed again
    shown = run(["show", str(stored["number"]), "--json"], tmp_path).stdout
    assert json.loads(shown)["first_contacted"] == "否"
    outputs.append(shown)
    assert run(["export", "--format", "csv", "--out", "t.csv"], tmp_path).returncode == 0
    outputs.append((tmp_path / "t.csv").read_text(encoding="utf-8-sig"))
    assert run(["export", "--format", "xlsx", "--out", "t.xlsx"], tmp_path).returncode == 0
    sheet = load_workbook(tmp_path / "t.xlsx").active
    outputs.append(json.dumps([[c.value for c in row] for row in sheet.iter_rows()],
                              ensure_ascii=False))
    outputs.append((tmp_path / "seat-console.log").read_text(encoding="utf-8"))
    for output in outputs:
        for secret in (*SECRET.values(), "87654321", "兴华街"):
            assert secret not in output, (secret, output[:300])
    assert "欧***" in outputs[1] and "139****4321" in outputs[1]
    assert str(stored["number"]) in outputs[-1]  # the log speaks of the ticket, not the person
    headers = [c.value for c in next(sheet.iter_rows())]
    assert headers[:3] == ["工单编号", "状态", "受理时间"]
    assert headers[-9:] == ["先行联系", "转办时间", "办结时间", "办结时办理时限", "最后办结时间",
                            "最后办结时办理时限", "回访时间", "最后回访时间", "归档时间"]
    row = [c.value for c in list(sheet.iter_rows())[1]]
    assert row[headers.index("先行联系")] == "否" and row[headers.index("回访结果")] == "不满意"
    assert row[headers.index("回访时间")] == row[headers.index("最后回访时间")] is not None
