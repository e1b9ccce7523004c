"""`seat-console check-scope`: the protocol other tools rely on, exactly as written.

--lines --json: one text a line in, one JSON object a line out, in order, flushed after each:
{"scope": null | {"category", "rule", "reply"}, "emergency": null | {"services", "matched"}}.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
CATEGORIES = {"civil_dispute", "legal_procedure", "military", "out_of_province"}


def run(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEAT_CONSOLE, "check-scope", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd, timeout=60, encoding="utf-8")


def check_shape(answer: dict[str, object]) -> None:
    assert set(answer) == {"scope", "emergency"}
    scope, emergency = answer["scope"], answer["emergency"]
    if scope is not None:
        assert isinstance(scope, dict) and set(scope) == {"category", "rule", "reply"}
        assert scope["category"] in CATEGORIES and isinstance(scope["rule"], str)
        assert isinstance(scope["reply"], str) and "{" not in scope["reply"]
    if emergency is not None:
        assert isinstance(emergency, dict) and set(emergency) == {"services", "matched"}
        services = emergency["services"]
        assert isinstance(services, list) and services == sorted(services)
        assert set(services) <= {"110", "119", "120", "122"} and emergency["matched"]


def test_lines_are_answered_one_by_one_and_flushed(tmp_path: Path) -> None:
    """A caller writes a line and reads its answer before it sends the next one."""
    process = subprocess.Popen([SEAT_CONSOLE, "check-scope", "--lines", "--json"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=tmp_path)
    assert process.stdin and process.stdout
    cases = [
        ("借给亲戚的钱要不回来", "civil_dispute", None),
        ("家里着火了,有人受伤", None, ["119", "120"]),
        ("", None, None),
        ("我们已经在打官司了", "legal_procedure", None),
        ("咨询120急救车收费", None, None),
        ("部队的车天天占道", "military", None),
        ("这是河北廊坊那边的事", "out_of_province", None),
        ("车撞了人", None, ["120", "122"]),
        ("我在北京工作社保怎么转回沈阳", None, None),
    ]
    try:
        for text, category, services in cases:
            process.stdin.write(text + "\n")
            process.stdin.flush()
            answer = json.loads(process.stdout.readline())
            check_shape(answer)
            scope, emergency = answer["scope"], answer["emergency"]
            assert (scope["category"] if scope else None) == category, (text, answer)
            assert (emergency["services"] if emergency else None) == services, (text, answer)
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert process.returncode == 0
    assert process.stdout.read() == ""  # nothing after the last answer
    assert list(tmp_path.iterdir()) == []  # no config or database created


def test_the_reply_is_filled_for_an_unknown_caller(tmp_path: Path) -> None:
    result = run(["--lines", "--json"], "朋友欠钱不还\n", tmp_path)
    assert result.returncode == 0, result.stderr
    scope = json.loads(result.stdout)["scope"]
    assert scope["rule"] and scope["reply"].startswith("先生/女士,您的问题已经记录。")
    assert "民事纠纷" in scope["reply"]


def test_lines_in_bulk_keep_their_order(tmp_path: Path) -> None:
    lines = ["着火了", "公积金怎么提取", "已经上访了", "有人溺水", "朝阳区的路灯坏了"] * 20
    result = run(["--lines", "--json"], "\n".join(lines) + "\n", tmp_path)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(lines)
    for answer in answers:
        check_shape(answer)
    assert [a["emergency"]["services"] if a["emergency"] else a["scope"] and a["scope"]["category"]
            for a in answers[:5]] == [["119"], None, "legal_procedure", ["110", "120"],
                                      "out_of_province"]


def test_stdin_as_one_text(tmp_path: Path) -> None:
    text = "我们家老爷子去世了,\n留下的房子我哥非说都归他。\n"
    result = run(["--json"], text, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    answer = json.loads(result.stdout)
    check_shape(answer)
    assert answer["scope"]["category"] == "civil_dispute" and answer["emergency"] is None


def test_plain_output_for_people(tmp_path: Path) -> None:
    result = run([], "家里着火了,有人受伤", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "emergency: call 119 + 120" in result.stdout
    result = run([], "已经上访了", tmp_path)
    assert "not accepted: legal_procedure" in result.stdout and "reply: 先生/女士" in result.stdout
    result = run([], "公积金怎么提取", tmp_path)
    assert result.stdout.strip() == "in scope, no emergency"
