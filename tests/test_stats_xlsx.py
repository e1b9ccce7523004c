"""`seat-console stats --xlsx FILE` (core/stats/workbook.py) on the hand-built history of
test_stats.py plus the 专题 of test_hotspots.py, in a real hotline.db: the sheets, their headers
and number formats, every value equal to the --json report's, native charts, 无数据 (never 0)
for a period without data, a clear error for a path that cannot be written, formula-looking
text kept as text, and no confidential caller data anywhere in the workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from seat_console.cli import main
from seat_console.core.db import Database
from seat_console.core.stats.records import RECORD_SETS
from seat_console.core.stats.workbook import FORMATS, GROUPING_LABELS
from tests.test_hotspots import SECRET_ADDRESS, SECRET_NAME, SECRET_PHONE
from tests.test_hotspots import build as build_hotspots
from tests.test_hotspots import new_ticket
from tests.test_stats import build_history

GROUPINGS = list(RECORD_SETS["tickets"].groups)
NOVEMBER = ["--from", "2026-11-01", "--to", "2026-11-30"]
OVERVIEW_HEADER = ["项目", "编码", "数值", "显示", "分子", "分母", "得分", "参考值(默认)",
                   "分值(默认)", "方向", "说明"]


def run(config_file: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config_file), "stats", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report(config_file: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, _ = run(config_file, capsys, *args, "--json", "--hotspots")
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def rows(sheet: Any) -> list[list[Any]]:
    """The table of `sheet`: its header's columns (the hidden chart data after a gap left out)."""
    header = [c.value for c in sheet[1]]
    width = header.index(None) if None in header else len(header)
    return [list(row[:width]) for row in sheet.iter_rows(values_only=True)]


def expected(value: Any) -> Any:
    return "无数据" if value is None else value


@pytest.fixture
def workbook(db: Database, config_file: Path, tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> tuple[Any, Path]:
    build_history(db)
    build_hotspots(db)
    path = tmp_path / "统计 11月.xlsx"
    code, out, err = run(config_file, capsys, *NOVEMBER, "--xlsx", str(path))
    assert (code, err) == (0, "")
    book = load_workbook(path)
    assert out == f"wrote {path} ({len(book.sheetnames)} sheets)\n"
    return book, path


def test_sheets_headers_and_formats(workbook: tuple[Any, Path]) -> None:
    book, _ = workbook
    names = ["总览"] + [GROUPING_LABELS[g] for g in GROUPINGS] + ["热点专题"]
    assert book.sheetnames == names
    assert {"座席", "承办单位", "诉求领域", "渠道", "日期"} <= set(names)
    overview = book["总览"]
    assert rows(overview)[0] == OVERVIEW_HEADER
    assert all(c.font.bold for c in overview[1][:len(OVERVIEW_HEADER)])
    assert overview.freeze_panes == "A2"
    for name in names[1:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "B2" and sheet["A1"].value == name and sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width >= 8
    # a 诉求领域 column is as wide as its Chinese name (two columns a character)
    domains = book["诉求领域"]
    longest = max(len(str(c.value)) for c in domains["A"] if c.value)
    assert domains.column_dimensions["A"].width >= 2 * longest
    by_code = {row[0].value: row for row in overview.iter_rows(min_row=2) if row[0].value}
    # value and reference in the unit's format; a rate is a % cell holding the fraction
    on_time = next(r for r in overview.iter_rows(min_row=2) if r[1].value == "on_time_rate")
    assert 0 <= on_time[2].value <= 1 and on_time[2].number_format == "0.0%"
    assert (on_time[7].value, on_time[7].number_format) == (0.98, "0.0%")
    call = next(r for r in overview.iter_rows(min_row=2) if r[1].value == "avg_call_seconds")
    assert call[2].number_format == FORMATS["seconds"] == '0.0"秒"'
    minutes, seconds = divmod(round(call[2].value), 60)
    assert minutes >= 1 and call[3].value == f"{minutes}分{seconds:02d}秒"
    assert by_code["统计期间"][2].value == "2026-11-01 至 2026-11-30"
    notes = [c.value for c in overview["A"] if isinstance(c.value, str)]
    assert any(n.startswith("注:参考值与分值为本系统默认值") for n in notes)
    # percent columns of a grouping sheet
    agents = book["座席"]
    header = [c.value for c in agents[1]]
    column = header.index("按期办结率") + 1
    assert all(agents.cell(row=r, column=column).number_format == "0.0%"
               for r in range(2, agents.max_row + 1)
               if isinstance(agents.cell(row=r, column=column).value, float))


def test_values_equal_the_json_report(workbook: tuple[Any, Path], config_file: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    book, _ = workbook
    total = report(config_file, capsys, *NOVEMBER)
    overview = {row[1]: row for row in rows(book["总览"])[1:] if row[1]}
    assert (overview["tickets"][2], overview["calls"][2]) == (total["tickets"], total["calls"])
    assert overview["hotspots"][2] == len(total["hotspots"])
    assert len(total["indicators"]) >= 18  # whatever indicators.yaml holds, all of them
    for item in total["indicators"]:
        row = overview[item["code"]]
        assert row[0] == item["name"] and row[2] == expected(item["value"]), item["code"]
        assert (row[4], row[5]) == (item["numerator"], item["denominator"])
        assert row[6] == expected(item["score"])
    for by in GROUPINGS:
        answer = report(config_file, capsys, *NOVEMBER, "--by", by)
        table = rows(book[GROUPING_LABELS[by]])
        header, body = table[0], table[1:]
        coded = header[1] == "编码"
        key_column = 1 if coded else 0
        first = 4 if coded else 3
        assert header[first:] == [i["name"] for i in total["indicators"]]
        got = {("" if r[key_column] in ("(未填)", None) else r[key_column]): r for r in body
               if r[0] is not None}
        assert set(got) == {g["key"] for g in answer["groups"]}, by
        assert answer["groups"], by
        for group in answer["groups"]:
            row = got[group["key"]]
            assert row[first - 2:first] == [group["tickets"], group["calls"]], (by, group["key"])
            assert row[first:] == [expected(i["value"]) for i in group["indicators"]], \
                (by, group["key"])
    # 诉求领域 and 渠道 by the names people read, with the code beside
    assert ["生态环境/噪声扰民", "huanjing.zaosheng"] in [r[:2] for r in rows(book["诉求领域"])]
    assert ["电话", "phone"] in [r[:2] for r in rows(book["渠道"])]
    hotspots = rows(book["热点专题"])
    assert hotspots[0][:6] == ["序号", "专题", "诉求领域", "地点", "关键词", "工单数"]
    assert len(total["hotspots"]) == 1
    listed = [r for r in hotspots[1:] if isinstance(r[0], int)]
    assert [(r[1], r[5], r[11]) for r in listed] == [
        (h["title"], h["count"], "、".join(h["tickets"])) for h in total["hotspots"]]
    assert listed[0][6].isoformat().startswith("2026-11-20T22:10")


def test_native_charts(workbook: tuple[Any, Path], config_file: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    book, _ = workbook
    for by in GROUPINGS:
        sheet = book[GROUPING_LABELS[by]]
        assert len(sheet._charts) == 1, by
        chart = sheet._charts[0]
        kinds = [type(c) for c in chart._charts]  # the chart and the rate lines added to it
        assert kinds == [LineChart if by == "day" else BarChart, LineChart], by
        assert chart.visible_cells_only is False  # the chart data columns are hidden
    days = book["日期"]
    rates = days._charts[0]._charts[1]
    assert len(rates.series) == 2  # 按期办结率 and 满意率 per day
    assert rates.y_axis.axId == 200 and rates.y_axis.number_format.formatCode == "0%"
    # the chart data: every day of November; a day without records 0 tickets and no rate
    header = [c.value for c in days[1]]
    start = header.index("类别") + 1
    assert header[start - 1:start + 3] == ["类别", "工单", "按期办结率", "满意率"]
    assert days.column_dimensions[days.cell(row=1, column=start).column_letter].hidden
    data = {days.cell(row=r, column=start).value: [days.cell(row=r, column=start + i).value
                                                   for i in (1, 2, 3)]
            for r in range(2, 32)}
    per_day = {g["key"]: g for g in report(config_file, capsys, *NOVEMBER, "--by", "day")["groups"]}
    assert len(data) == 30 and len(per_day) < 30
    for day, (tickets, on_time, satisfied) in data.items():
        if day not in per_day:
            assert [tickets, on_time, satisfied] == [0, None, None], day
            continue
        values = {i["code"]: i["value"] for i in per_day[day]["indicators"]}
        assert [tickets, on_time, satisfied] == [per_day[day]["tickets"], values["on_time_rate"],
                                                 values["satisfaction_rate"]], day
    assert len(book["总览"]._charts) == 1


def test_confidential_caller_data_is_nowhere_in_the_workbook(
        workbook: tuple[Any, Path]) -> None:
    book, _ = workbook
    cells = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
             for v in row if v is not None]
    assert any("浑南区创新路 · 噪声扰民" in v for v in cells)
    for secret in (SECRET_NAME, "娜娜", SECRET_PHONE, SECRET_ADDRESS, "阳光小区", "66号"):
        assert not any(secret in v for v in cells), secret


def test_a_period_without_data_says_no_data(config_file: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.xlsx"
    code, out, _ = run(config_file, capsys, "--from", "2025-01-01", "--to", "2025-01-31",
                       "--xlsx", str(path))
    assert code == 0 and out.startswith(f"wrote {path} (")
    book = load_workbook(path)
    overview = {row[1]: row for row in rows(book["总览"])[1:] if row[1]}
    assert overview["tickets"][2] == 0 and overview["calls"][2] == 0
    ratios = [row for code, row in overview.items() if code not in ("period", "tickets", "calls",
                                                                    "hotspots")
              and row[5] is not None]  # the indicators with a denominator
    assert len(ratios) >= 17
    assert all(row[2] == "无数据" and row[3] == "无数据" and row[6] == "无数据" for row in ratios)
    for by in GROUPINGS:
        sheet = book[GROUPING_LABELS[by]]
        assert sheet["A2"].value == "无数据" and sheet.max_row == 2 and not sheet._charts
    assert book["热点专题"]["A2"].value == "无数据"


def test_with_json_the_json_is_printed_too(db: Database, config_file: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    build_hotspots(db)
    path = tmp_path / "both.xlsx"
    code, out, err = run(config_file, capsys, *NOVEMBER, "--by", "agent", "--xlsx", str(path),
                         "--json", "--hotspots")
    assert code == 0 and path.exists()
    answer = json.loads(out)  # stdout stays one JSON object; the line goes to stderr
    assert list(answer) == ["from", "to", "tickets", "calls", "indicators", "groups",
                            "hotspots"]
    assert [g["key"] for g in answer["groups"]] == ["8001"]
    assert err.startswith(f"wrote {path} (")


@pytest.mark.parametrize("where", ["missing/dir/stats.xlsx", "."])
def test_a_path_that_cannot_be_written_is_a_clear_error(
        where: str, config_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / where
    code, out, err = run(config_file, capsys, "--xlsx", str(path))
    assert code == 2 and out == ""
    assert f"--xlsx {path}: cannot write the workbook (" in err
    assert not (tmp_path / "missing").exists()


def test_text_that_looks_like_a_formula_stays_text(db: Database, config_file: Path,
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    new_ticket(db, "2026-11-20T09:00:00", "创新路工地夜间施工噪音扰民",
               department='=HYPERLINK("http://example.invalid","点我")')
    path = tmp_path / "formula.xlsx"
    assert run(config_file, capsys, *NOVEMBER, "--xlsx", str(path))[0] == 0
    sheet = load_workbook(path)["承办单位"]
    cell = sheet["A2"]
    assert cell.value == '\'=HYPERLINK("http://example.invalid","点我")' and cell.data_type == "s"
