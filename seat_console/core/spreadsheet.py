"""Cells of CSV and XLSX exports that a spreadsheet would run as a formula (CSV/formula
injection: =HYPERLINK(...), +cmd|..., -2+3, @SUM(...)) are written as text: a leading
apostrophe, the prefix Excel and LibreOffice read as "this is text"."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """`value` as the text of one exported cell, never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
