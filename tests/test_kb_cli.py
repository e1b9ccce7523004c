"""`seat-console kb import | stats | search` as real processes: the protocols as written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from seat_console.config import SHIPPED_KB_DATA

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
GOOD = {"id": "t-0001", "title": "路灯不亮报修", "body": "道路路灯不亮可向城市管理部门报修。",
        "keywords": ["路灯", "报修"], "category": "城市管理", "department": "市城市管理综合行政执法局"}


def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    return {**base, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def run(args: list[str], tmp_path: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEAT_CONSOLE, "kb", *args], input=stdin, text=True, encoding="utf-8",
                          capture_output=True, cwd=tmp_path, env=env(tmp_path), timeout=120)


def test_search_json_on_the_seeded_database(tmp_path: Path) -> None:
    result = run(["search", "gongjijin", "tiqu", "--json", "--limit", "3"], tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["query"] == "gongjijin tiqu" and isinstance(answer["ms"], float)
    assert len(answer["hits"]) == 3
    assert set(answer["hits"][0]) == {"id", "title", "score"}
    assert answer["hits"][0]["id"] == "kb-gjj-0001"


def test_batch_answers_each_line_in_order_and_flushes(tmp_path: Path) -> None:
    process = subprocess.Popen([SEAT_CONSOLE, "kb", "search", "--batch", "--kb",
                                str(SHIPPED_KB_DATA), "--limit", "5"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               encoding="utf-8", cwd=tmp_path, env=env(tmp_path))
    assert process.stdin and process.stdout
    try:
        for query, expected in (("社宝卡补办", "kb-shebao-0003"), ("老板不给工资", "kb-wage-0001"),
                                ("", None)):
            process.stdin.write(query + "\n")
            process.stdin.flush()
            answer = json.loads(process.stdout.readline())  # answered before the next line
            assert answer["query"] == query and answer["ms"] >= 0
            ids = [hit["id"] for hit in answer["hits"]]
            assert (expected in ids) if expected else ids == []
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0
    assert list((tmp_path / "cache" / "seat-console" / "kb-index").iterdir())  # index cached


def test_import_reports_bad_lines_and_loads_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    bad_title = dict(GOOD, id="t-0002", title="")
    no_category = {k: v for k, v in GOOD.items() if k not in ("category", "keywords")}
    path.write_text("\n".join([json.dumps(GOOD, ensure_ascii=False), "{broken",
                               json.dumps(bad_title, ensure_ascii=False),
                               json.dumps(GOOD, ensure_ascii=False),
                               json.dumps(dict(no_category, id="t-0003", category=""),
                                          ensure_ascii=False)]) + "\n", encoding="utf-8")
    result = run(["import", str(path)], tmp_path)
    assert result.returncode == 1
    # one problem of each kind: each told in full, one line each
    assert result.stderr.splitlines() == [
        f"error: {path}:2: invalid JSON: Expecting property name enclosed in double quotes",
        f"error: {path}:3: empty field 'title'",
        f"error: {path}:4: duplicate id 't-0001' (first at {path}:1)",
    ]
    assert "imported 2 entries" in result.stdout  # no category, keywords: still an article
    found = json.loads(run(["search", "路灯不亮", "--json"], tmp_path).stdout)
    assert [hit["id"] for hit in found["hits"][:2]] == ["t-0001", "t-0003"]


def test_stats_summarise_the_kb(tmp_path: Path) -> None:
    result = run(["stats", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["articles"] >= 300 and stats["directory_entries"] >= 50
    assert stats["synonym_groups"] > 0 and stats["index"]["postings"] > 0
    assert "社保" in stats["categories"]
