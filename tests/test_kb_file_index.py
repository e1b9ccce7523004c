"""`kb search --kb PATH` reuses the saved index while the files are unchanged, without reading
them, and reports the same problems; a changed file is read again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from seat_console.core.kb.file_index import open_file_index
from seat_console.core.kb.search import KbSearch

ROW = {"id": "a1", "title": "公积金提取", "body": "租房提取住房公积金的条件"}


def write_kb(path: Path, *rows: dict[str, str]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")


def titles(index, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.title for h in KbSearch(index).search(query, 5)]


def test_unchanged_files_are_not_read_again(tmp_path: Path) -> None:
    kb, cache = tmp_path / "kb.jsonl", tmp_path / "cache"
    write_kb(kb, ROW, {"id": "a2", "title": "", "body": "x"})
    first, problems = open_file_index([kb], {}, cache)
    assert [e.line for e in problems] == [2] and titles(first, "公积金") == ["公积金提取"]
    # the same size and modification time: the memo says the index is the saved one
    stat = kb.stat()
    kb.write_bytes(b"\n" * stat.st_size)
    os.utime(kb, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again, problems_again = open_file_index([kb], {}, cache)
    assert titles(again, "公积金") == ["公积金提取"]
    assert [(e.line, e.message) for e in problems_again] == [(e.line, e.message) for e in problems]


def test_a_changed_file_or_a_lost_index_is_read_again(tmp_path: Path) -> None:
    kb, cache = tmp_path / "kb.jsonl", tmp_path / "cache"
    write_kb(kb, ROW)
    first, _ = open_file_index([kb], {}, cache)
    write_kb(kb, ROW, {"id": "a3", "title": "供暖不热投诉", "body": "室温不达标"})
    changed, problems = open_file_index([kb], {}, cache)
    assert problems == [] and titles(changed, "供暖") == ["供暖不热投诉"]
    shutil.rmtree(cache / changed.key)
    rebuilt, _ = open_file_index([kb], {}, cache)
    assert titles(rebuilt, "供暖") == ["供暖不热投诉"]


def test_nothing_loaded_gives_no_index_and_no_memo(tmp_path: Path) -> None:
    kb, cache = tmp_path / "kb.jsonl", tmp_path / "cache"
    kb.write_text("{not json\n", encoding="utf-8")
    index, problems = open_file_index([kb], {}, cache)
    assert index is None and len(problems) == 1
    assert not (cache / "sources").exists()
