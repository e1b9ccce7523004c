"""`seat-console check-phrases`: the protocol other tools rely on, exactly as written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")


def run(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEAT_CONSOLE, "check-phrases", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd, timeout=60, encoding="utf-8")


def test_json_checks_stdin_as_one_text(tmp_path: Path) -> None:
    text = "您好。\n这个不 知 道,\n爱找谁找谁"
    result = run(["--json"], text, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    hits = json.loads(result.stdout)["hits"]
    assert [h["phrase"] for h in hits] == ["不知道", "爱找谁找谁"]
    for hit in hits:
        assert set(hit) == {"phrase", "start", "end", "matched", "suggestion"}
        assert text[hit["start"]:hit["end"]] == hit["matched"]
    assert list(tmp_path.iterdir()) == []


def test_lines_gives_one_object_per_line_in_order(tmp_path: Path) -> None:
    lines = ["车辆不行驶", "不，行", "", "愛找誰找誰", "我说话你听不懂吗"]
    result = run(["--lines"], "\n".join(lines) + "\n", tmp_path)
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == len(lines)
    assert [[h["phrase"] for h in o["hits"]] for o in objects] == \
        [[], ["不行"], [], ["爱找谁找谁"], ["我说话你听不懂么"]]
    assert objects[1]["hits"][0] == {"phrase": "不行", "start": 0, "end": 3, "matched": "不，行",
                                     "suggestion": objects[1]["hits"][0]["suggestion"]}


def test_lines_are_flushed_one_by_one(tmp_path: Path) -> None:
    """A caller can write a line and read its answer before sending the next one."""
    process = subprocess.Popen([SEAT_CONSOLE, "check-phrases", "--lines"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=tmp_path)
    assert process.stdin and process.stdout
    try:
        for text, phrase in (("不知道", "不知道"), ("您好", None), ("這就是規定", "这就是规定")):
            process.stdin.write(text + "\n")
            process.stdin.flush()
            answer = json.loads(process.stdout.readline())
            assert [h["phrase"] for h in answer["hits"]] == ([phrase] if phrase else [])
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert process.returncode == 0


def test_plain_output_for_people(tmp_path: Path) -> None:
    result = run([], "这就是规定", tmp_path)
    assert result.returncode == 0 and "这就是规定" in result.stdout and "建议" in result.stdout
