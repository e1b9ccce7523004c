"""`seat-console ticket add` with a 转办: the same rule as the form and the ticket view."""

from __future__ import annotations

import json
from pathlib import Path

from .test_ticket_cli import run

BASE = {"phone": "13800000001", "demand": "工地夜间施工噪音", "request_type": "投诉",
        "channel": "网站", "address": "和平区南京街1号"}


def test_transfer_without_opinion_is_refused_and_nothing_stored(tmp_path: Path) -> None:
    result = run(["add", "--json"], tmp_path, json.dumps({**BASE, "disposition": "转办"},
                                                         ensure_ascii=False))
    assert result.returncode == 2, result.stdout + result.stderr
    assert json.loads(result.stdout)["errors"] == {"department": "转办须填写承办单位",
                                                   "dispatch_opinion": "转办须填写派单意见"}
    assert json.loads(run(["list", "--json"], tmp_path).stdout) == []
    human = run(["add"], tmp_path, json.dumps({**BASE, "disposition": "transfer",
                                               "department": "市生态环境局"}))
    assert human.returncode == 2 and "dispatch_opinion: 转办须填写派单意见" in human.stderr


def test_transfer_is_stored_with_the_domain_department_and_opinion(tmp_path: Path) -> None:
    result = run(["add", "--json"], tmp_path, json.dumps(
        {**BASE, "disposition": "transfer", "domain": "噪声扰民", "dispatch_opinion": "请核查施工许可",
         "co_departments": ["市城市管理综合行政执法局"]}, ensure_ascii=False))
    assert result.returncode == 0, result.stdout + result.stderr
    stored = json.loads(result.stdout)
    assert (stored["status"], stored["disposition"]) == ("transferred", "transfer")
    assert stored["department"] == "市生态环境局"  # from the 诉求领域
    assert stored["dispatch_opinion"] == "请核查施工许可"
    assert stored["co_departments"] == ["市城市管理综合行政执法局"]
    assert stored["deadline"]  # the handling time of a complaint, not the 2-day transfer time
    batch = run(["add", "--batch"], tmp_path, "\n".join([
        json.dumps({**BASE, "disposition": "transfer", "department": "市住建局",
                    "dispatch_opinion": "请处理"}),
        json.dumps({**BASE, "disposition": "transfer"}),
        json.dumps({**BASE, "disposition": "emergency"})]) + "\n")
    assert batch.returncode == 2
    answers = [json.loads(line) for line in batch.stdout.splitlines()]
    assert answers[0]["status"] == "transferred" and answers[0]["department"] == "市住建局"
    assert answers[1]["line"] == 2 and set(answers[1]["errors"]) == {"department",
                                                                       "dispatch_opinion"}
    assert answers[2]["line"] == 3 and set(answers[2]["errors"]) == {"disposition"}
