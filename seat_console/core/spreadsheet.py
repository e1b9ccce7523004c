"""Cells of CSV and XLSX exports that a spreadsheet would run as a formula (CSV/formula
injection: =HYPERLINK(...), +cmd|..., -2+3, @SUM(...)) are written as text: a leading
apostrophe, the prefix Excel and LibreOffice read as "this is text"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """`value` as the text of one exported cell, never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formatted_sheet(book: Any, title: str, headers: Sequence[tuple[str, int]], rows: list[list[Any]],
           formats: dict[int, str] | None = None) -> Any:
    """A sheet with a bold, filled, frozen header row, column widths, a filter, and `rows`
    (text cells never read as formulas; `formats` by column index)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append([name for name, _ in headers])
    for index, (_, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if isinstance(row[index], str):
                cell.data_type = "s"  # text, never a formula
            elif formats and index in formats:
                cell.number_format = formats[index]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet
