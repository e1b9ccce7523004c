from __future__ import annotations

from pathlib import Path

import pytest

from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES
from seat_console.core.errors import DataFileError
from seat_console.core.kb.loader import load_kb
from seat_console.core.phrases.catalog import fill, load_catalog, salutation_context

GOOD = ('{"id": "a1", "title": "标题", "body": "正文", "keywords": ["k"], "category": "社保", '
        '"department": "人社局"}')


def test_shipped_data_loads_without_errors() -> None:
    result = load_kb([SHIPPED_KB_DATA])
    assert result.errors == []
    kinds = {r.kind for r in result.records}
    assert kinds == {"article", "directory"}
    catalog = load_catalog(SHIPPED_SCRIPTS_PHRASES)
    assert {p.id for p in catalog.phases} >= {"opening", "closing", "special"}


def test_bad_kb_lines_are_reported_by_file_and_line_and_the_rest_loads(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([
        GOOD,
        "{not json",
        GOOD.replace('"a1"', '"a2"').replace('"title": "标题", ', ""),
        GOOD.replace('"a1"', '"a3"').replace('"2', '"2'),
        GOOD,  # duplicate id
    ]) + "\n", encoding="utf-8")
    result = load_kb([path])
    assert [r.id for r in result.records] == ["a1", "a3"]
    problems = {(e.line, e.message.split(":")[0]) for e in result.errors}
    assert (2, "invalid JSON") in problems
    assert any(line == 3 and msg == "missing field 'title'" for line, msg in
               ((e.line, e.message) for e in result.errors))
    assert any(e.line == 5 and "duplicate id" in e.message for e in result.errors)
    assert all(e.path == path for e in result.errors)


def write_catalog(folder: Path, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "phrases.yaml").write_text(text, encoding="utf-8")


PHASES = "phases:\n" + "".join(f"  - id: {p}\n    label: {p}\n" for p in
                               ("opening", "identity", "matter", "disposition", "closing", "special"))


def test_unknown_placeholder_names_file_and_line(tmp_path: Path) -> None:
    phrases = "phrases:\n" + "".join(
        f"  - id: p{i}\n    phase: {p}\n    title: t\n    text: 好\n" for i, p in
        enumerate(("opening", "identity", "matter", "disposition", "closing", "special")))
    write_catalog(tmp_path, PHASES + phrases + "  - id: bad\n    phase: opening\n    title: t\n"
                  "    text: 您好{surnme}\n")
    with pytest.raises(DataFileError) as info:
        load_catalog(tmp_path)
    assert "unknown placeholder {surnme}" in info.value.message
    lines = (tmp_path / "phrases.yaml").read_text(encoding="utf-8").splitlines()
    assert "surnme" in lines[info.value.line - 1]


def test_missing_phase_is_reported(tmp_path: Path) -> None:
    write_catalog(tmp_path, "phases:\n  - id: opening\n    label: 开场\nphrases: []\n")
    with pytest.raises(DataFileError, match="missing phase"):
        load_catalog(tmp_path)


def test_placeholders_are_filled_from_the_call() -> None:
    context = {**salutation_context("张女士"), "agent_id": "8001"}
    assert fill("{surname}{honorific},我的工号是{agent_id}。", context) == "张女士,我的工号是8001。"
    assert fill("{surname}{honorific}您好", salutation_context("")) == "先生/女士您好"
    assert fill("已转{department}办理", {}) == "已转……办理"
