"""KB exports as they come from real hotline systems: CSV (GBK, UTF-8 with BOM, quoted
newlines) and XLSX, with missing categories and keywords, odd headers (--map), and many bad
rows summarised one line per kind. Real files, real SQLite, the real `seat-console` CLI."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from seat_console.core.kb.load_report import report_lines
from seat_console.core.kb.loader import NO_DEPARTMENT, UNCATEGORIZED, load_kb
from seat_console.core.kb.search import SearchHit
from seat_console.core.kb.table_reader import parse_mapping
from seat_console.tui.widgets.kb_pane import hit_label

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")


def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    return {**base, "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "SEAT_CONSOLE_DATABASE": str(tmp_path / "db" / "hotline.db")}


def kb(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEAT_CONSOLE, "kb", *args], text=True, encoding="utf-8",
                          capture_output=True, cwd=tmp_path, env=env(tmp_path), timeout=180)


def write_csv(path: Path, rows: list[list[object]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


GBK_ROWS = [
    ["标题", "答案", "处理单位"],
    ["住房公积金怎么提取", "购房、租房、退休等情形可申请提取住房公积金,携带身份证到公积金中心办理。",
     "市住房公积金管理中心"],
    ["路灯不亮向哪里反映", "道路路灯不亮可向城市管理部门报修,一般三个工作日内修复。", ""],
    ["居民医保怎么缴费", "可通过税务App、银行网点或社区代办点缴纳城乡居民医疗保险。", "市医疗保障局"],
]


def gbk_export(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "faq.csv", GBK_ROWS, "gbk")


def test_gbk_csv_without_category_or_id_loads_every_row(tmp_path: Path) -> None:
    path = gbk_export(tmp_path)
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # really GBK
    result = load_kb([path])
    assert result.errors == []
    assert [r.title for r in result.records] == [row[0] for row in GBK_ROWS[1:]]
    first, second, _ = result.records
    assert first.body.startswith("购房、租房") and first.department == "市住房公积金管理中心"
    assert (first.category, first.keywords, second.department) == ("", [], "")
    # no id column: file name and row line, the same on every load
    assert [r.id for r in result.records] == ["faq-2", "faq-3", "faq-4"]
    assert [r.id for r in load_kb([path]).records] == ["faq-2", "faq-3", "faq-4"]
    assert first.source == f"{path}:2"


def test_utf8_bom_csv_with_a_quoted_multiline_body(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", [
        [" ID ", "Title", "正文", "分类", "关键词", "备注"],
        ["k-1", "社保卡丢失怎么补办", "第一步:挂失。\n第二步:到银行网点补办,\n\"当场\"可取卡。",
         "社保", "社保卡，补办、挂失;丢失", "内部备注"],
        ["k-2", "", "没有标题的一行", "", "", ""],
        ["k-3", "燃气费怎么交", "可在燃气公司营业厅或手机App缴纳。", "", "", ""],
    ], "utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = load_kb([path])
    assert [r.id for r in result.records] == ["k-1", "k-3"]
    card, gas = result.records
    assert card.body == "第一步:挂失。\n第二步:到银行网点补办,\n\"当场\"可取卡。"
    assert card.keywords == ["社保卡", "补办", "挂失", "丢失"] and card.category == "社保"
    assert gas.category == "" and gas.keywords == []
    # a row's line is where it starts: k-1 spans lines 2-4
    assert [e.line for e in result.errors] == [5] and gas.source == f"{path}:6"
    assert result.errors[0].message == "empty field 'title'"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[4].startswith("k-2,") and lines[5].startswith("k-3,")


def test_xlsx_with_numeric_ids_empty_categories_and_a_caption_row(tmp_path: Path) -> None:
    path = tmp_path / "知识库导出.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["12345热线知识库导出 2026-11-01"])  # a caption above the header
    sheet.append(["编号", "问题", "答案", "分类", "部门", "关键词", "浏览次数"])
    sheet.append([100023, "公积金贷款额度怎么算", "按缴存余额和还款能力计算,最高不超过60万元。",
                  None, "市住房公积金管理中心", "公积金 贷款/额度", 88])
    sheet.append([100024.0, "新生儿怎么上户口", "出生一个月内凭出生医学证明到派出所申报。",
                  "", None, None, 12])
    sheet.append([None, None, None, None, None, None, None])  # an empty row in between
    sheet.append([100026, "身份证过期怎么换", "到户籍地或居住地派出所换领,可异地办理。", "户政",
                  "市公安局", "身份证、换领", 3])
    workbook.create_sheet("说明").append(["此表由系统自动生成"])
    workbook.save(path)
    result = load_kb([path])
    assert result.errors == []
    assert [r.id for r in result.records] == ["100023", "100024", "100026"]
    loan, baby, card = result.records
    assert (loan.category, loan.keywords) == ("", ["公积金", "贷款", "额度"])
    assert (baby.category, baby.department, baby.keywords) == ("", "", [])
    assert card.category == "户政"
    assert [r.source for r in result.records] == [f"{path}:3", f"{path}:4", f"{path}:6"]


def test_a_folder_includes_csv_and_xlsx_files(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    gbk_export(folder)
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "title", "body"])
    workbook.active.append([7, "xlsx 文章", "正文"])
    workbook.save(folder / "more.xlsx")
    (folder / "~$more.xlsx").write_bytes(b"Excel's lock file")
    (folder / "a.jsonl").write_text(json.dumps({"id": 8, "title": "jsonl 文章", "body": "正文"},
                                               ensure_ascii=False) + "\n", encoding="utf-8")
    result = load_kb([folder])
    assert result.errors == []
    assert sorted(r.id for r in result.records) == ["7", "8", "faq-2", "faq-3", "faq-4"]
    jsonl = next(r for r in result.records if r.id == "8")
    assert (jsonl.category, jsonl.department, jsonl.keywords) == ("", "", [])


def test_a_file_without_a_title_or_body_column_is_one_clear_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "qa.csv", [["问题描述", "答复内容", "来源"],
                                           ["电动车充电桩怎么申请", "向物业提出申请。", "网络"]],
                     "utf-8")
    result = load_kb([path])
    assert result.records == [] and len(result.errors) == 1
    error = result.errors[0]
    assert error.path == path and error.line is None
    assert "no usable title and body column" in error.message
    assert "headers found: 问题描述, 答复内容, 来源" in error.message
    mapped = load_kb([path], columns=dict([parse_mapping("问题描述=title"),
                                           parse_mapping(" 答复内容 =BODY")]))
    assert mapped.errors == [] and mapped.records[0].title == "电动车充电桩怎么申请"
    assert mapped.records[0].body == "向物业提出申请。"
    with pytest.raises(ValueError, match="unknown field 'answer'"):
        parse_mapping("答复内容=answer")


def bad_export(tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    """A CSV with three kinds of bad rows; returns the lines of each kind."""
    rows: list[list[object]] = [["编号", "标题", "内容", "分类"]]
    expected: dict[str, list[int]] = {"empty field 'title'": [], "empty field 'body'": [],
                                      "duplicate id": []}
    for number in range(1, 41):
        line = number + 1
        if number % 5 == 0:
            rows.append([f"b-{number}", "", "正文", ""])
            expected["empty field 'title'"].append(line)
        elif number % 7 == 0:
            rows.append([f"b-{number}", f"标题{number}", "   ", ""])
            expected["empty field 'body'"].append(line)
        elif number % 11 == 0:
            rows.append(["b-1", f"重复{number}", "正文", ""])
            expected["duplicate id"].append(line)
        else:
            rows.append([f"b-{number}", f"标题{number}", f"正文{number}", ""])
    return write_csv(tmp_path / "bad.csv", rows, "utf-8"), expected


def test_many_bad_rows_are_summarised_one_line_per_kind(tmp_path: Path) -> None:
    path, expected = bad_export(tmp_path)
    result = load_kb([path])
    assert len(result.records) == 40 - sum(len(v) for v in expected.values())
    lines = report_lines(result.errors)
    assert len(lines) == 3
    titles = expected["empty field 'title'"]
    assert lines[0] == (f"{len(titles)} records: empty field 'title' "
                        f"({path}:{titles[0]}, {path}:{titles[1]}, {path}:{titles[2]}, …)")
    bodies = expected["empty field 'body'"]
    assert lines[1] == (f"{len(bodies)} records: empty field 'body' "
                        f"({path}:{bodies[0]}, {path}:{bodies[1]}, {path}:{bodies[2]}, …)")
    duplicates = expected["duplicate id"]
    assert lines[2] == (f"{len(duplicates)} records: duplicate id "
                        f"({path}:{duplicates[0]}, {path}:{duplicates[1]}, {path}:{duplicates[2]})")
    verbose = report_lines(result.errors, verbose=True)
    assert len(verbose) == len(result.errors) + 3
    for kind, numbers in expected.items():
        for line in numbers:
            assert any(v.startswith(f"{path}:{line}: {kind}") for v in verbose), (kind, line)


def test_import_cli_summarises_and_verbose_lists_every_record(tmp_path: Path) -> None:
    path, expected = bad_export(tmp_path)
    result = kb(["import", str(path)], tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("error: ") for line in lines)
    for line, (kind, numbers) in zip(lines, expected.items()):
        assert line.startswith(f"error: {len(numbers)} records: {kind} ({path}:{numbers[0]}, ")
    bad = sum(len(v) for v in expected.values())
    assert f"imported {40 - bad} entries" in result.stdout
    verbose = kb(["import", str(path), "--verbose"], tmp_path)
    assert verbose.returncode == 1
    for kind, numbers in expected.items():
        for line in numbers:
            assert f"error: {path}:{line}: {kind}" in verbose.stderr
    assert len(verbose.stderr.strip().splitlines()) == bad + 3


def test_import_then_search_an_imported_gbk_csv(tmp_path: Path) -> None:
    path = gbk_export(tmp_path)
    imported = kb(["import", str(path)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr == "" and "imported 3 entries" in imported.stdout
    assert (tmp_path / "db" / "hotline.db").exists()
    found = json.loads(kb(["search", "路灯不亮", "--json"], tmp_path).stdout)
    assert found["hits"][0] == {"id": "faq-3", "title": "路灯不亮向哪里反映",
                                "score": found["hits"][0]["score"]}
    text = kb(["search", "公积金提取"], tmp_path)
    assert text.returncode == 0, text.stderr
    first = text.stdout.splitlines()[0]
    assert "faq-2" in first and f"[{UNCATEGORIZED}]" in first and "(市住房公积金管理中心)" in first
    street = kb(["search", "路灯"], tmp_path).stdout.splitlines()[0]
    assert f"[{UNCATEGORIZED}]" in street and f"({NO_DEPARTMENT})" in street
    stats = kb(["stats"], tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert any(line.split() == [UNCATEGORIZED, "3"] for line in stats.stdout.splitlines())
    assert json.loads(kb(["stats", "--json"], tmp_path).stdout)["categories"] == {"": 3}
    headless = write_csv(tmp_path / "wrong.csv", [["问题描述", "答复内容"], ["甲", "乙"]], "utf-8")
    refused = kb(["import", "--replace", str(headless)], tmp_path)  # a forgotten --map
    assert refused.returncode == 1 and "--replace would empty the KB" in refused.stderr
    assert json.loads(kb(["stats", "--json"], tmp_path).stdout)["articles"] == 3


def test_search_and_stats_of_a_csv_with_map(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "qa.csv", [["问题描述", "答复内容"],
                                           ["电动车充电桩怎么申请安装", "向小区物业提出书面申请。"],
                                           ["噪音扰民怎么投诉", "可拨打110或向城管反映。"]],
                     "utf-8-sig")
    unmapped = kb(["search", "--kb", str(path), "充电桩", "--json"], tmp_path)
    assert unmapped.returncode == 1 and unmapped.stdout == ""
    warning, error = unmapped.stderr.splitlines()
    assert warning.startswith(f"warning: {path}: no usable title and body column")
    assert "headers found: 问题描述, 答复内容" in warning
    assert error == f"seat-console: error: --kb {path}: no KB entries loaded"
    nothing = kb(["import", str(path)], tmp_path)  # into an empty database
    assert nothing.returncode == 1 and "imported 0 entries" in nothing.stdout
    assert nothing.stderr.startswith(f"error: {path}: no usable title and body column")
    mapping = ["--map", "问题描述=title", "--map", "答复内容=body"]
    found = kb(["search", "--kb", str(path), "充电桩", "--json", *mapping], tmp_path)
    assert found.returncode == 0 and found.stderr == ""
    assert json.loads(found.stdout)["hits"][0]["id"] == "qa-2"
    stats = json.loads(kb(["stats", "--kb", str(path), "--json", *mapping], tmp_path).stdout)
    assert stats["articles"] == 2 and stats["categories"] == {"": 2}
    refused = kb(["import", str(path), "--map", "问题描述"], tmp_path)
    assert refused.returncode == 2 and "expected COLUMN=FIELD" in refused.stderr


def test_check_data_summarises_bad_kb_records(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(json.dumps({"id": f"x{i}"}) + "\n" for i in range(6)),
                                    encoding="utf-8")
    run_env = {**env(tmp_path), "SEAT_CONSOLE_KB_DATA": str(folder)}
    result = subprocess.run([SEAT_CONSOLE, "check-data"], text=True, encoding="utf-8",
                            capture_output=True, cwd=tmp_path, env=run_env, timeout=180)
    assert result.returncode == 1
    kb_lines = [line for line in result.stderr.splitlines() if "a.jsonl" in line]
    assert kb_lines == [f"error: 6 records: missing field 'title' ({folder / 'a.jsonl'}:1, "
                        f"{folder / 'a.jsonl'}:2, {folder / 'a.jsonl'}:3, …)"]
    verbose = subprocess.run([SEAT_CONSOLE, "check-data", "--verbose"], text=True,
                             encoding="utf-8", capture_output=True, cwd=tmp_path, env=run_env,
                             timeout=180)
    for line in range(1, 7):
        assert f"error: {folder / 'a.jsonl'}:{line}: missing field 'title'" in verbose.stderr


def test_the_console_shows_empty_category_and_department_as_words() -> None:
    article = SearchHit("faq-2", "article", "住房公积金怎么提取", "", "", 1.0, [(2, 5)])
    assert hit_label(article).plain.splitlines()[1].strip() == f"{UNCATEGORIZED} · {NO_DEPARTMENT}"
    named = SearchHit("k-1", "article", "社保卡补办", "社保", "市人社局", 1.0)
    assert hit_label(named).plain.splitlines()[1].strip() == "社保 · 市人社局"


def test_a_100k_row_csv_loads_in_seconds(tmp_path: Path) -> None:
    rows: list[list[object]] = [["编号", "标题", "答案", "处理单位", "关键词"]]
    rows += [[200000 + i, f"第{i}号常见问题如何办理", f"答复第一段{i}。\n答复第二段,含逗号。",
              "市政务服务中心" if i % 3 else "", "" if i % 10 else "办理,咨询"]
             for i in range(100_000)]
    path = write_csv(tmp_path / "big.csv", rows, "gb18030")
    started = time.perf_counter()
    result = load_kb([path])
    elapsed = time.perf_counter() - started
    assert len(result.records) == 100_000 and result.errors == []
    assert result.records[-1].id == "299999" and result.records[-1].source == f"{path}:200000"
    assert elapsed < 6, f"{elapsed:.1f} s"
