"""KB articles from table exports: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

The header row is mapped by name, case- and whitespace-insensitive (标题/问题/title -> title,
内容/答案/正文/body -> body, 分类/category, 部门/处理单位/department, 关键词/keywords, id/编号);
unknown columns are ignored and `columns` ({header: field}, from `--map`) overrides the names.
The header is the first of the first HEADER_SEARCH_ROWS non-empty rows that names a title and
a body column (exports often put a caption row above it). Each data row becomes an article
mapping (validated by the loader) paired with the line where the row starts (CSV: fields may
hold quoted newlines) or its row number (XLSX). Without an id column, a row's id is
`<file name without suffix>-<line>`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError

FIELDS = ("id", "title", "body", "category", "department", "keywords")
# Header names of each field, in order of preference when a file has more than one of them.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号"),
    "title": ("标题", "title", "问题"),
    "body": ("内容", "答案", "正文", "body"),
    "category": ("分类", "category"),
    "department": ("部门", "处理单位", "department"),
    "keywords": ("关键词", "keywords"),
}
HEADER_SEARCH_ROWS = 10
KEYWORD_SEPARATORS = re.compile(r"[，,、;；/\s]+")
csv.field_size_limit(16 * 1024 * 1024)  # long answers; the default (128 KiB) is too small

Rows = Iterator[tuple[int, Any]]
Progress = Callable[[int], None]


def header_key(name: object) -> str:
    """A header as compared: NFKC, no whitespace at all, case-folded."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split()).casefold()


_DEFAULT_NAMES = {header_key(name): (field, rank) for field, names in FIELD_NAMES.items()
                  for rank, name in enumerate(names)}


def parse_mapping(text: str) -> tuple[str, str]:
    """`COLUMN=field` of `--map` as (header key, field); ValueError says what is wrong."""
    column, equals, field = text.rpartition("=")
    field = field.strip().lower()
    if not equals or not column.strip():
        raise ValueError(f"expected COLUMN=FIELD, got {text!r}")
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r} in {text!r} (fields: {', '.join(FIELDS)})")
    return header_key(column), field


def map_header(header: list[Any], columns: Mapping[str, str]) -> dict[str, int]:
    """{field: column index} for one header row; mapped columns win over the default names."""
    found: dict[str, tuple[int, int]] = {}  # field -> (rank, index); rank -1: --map
    for index, name in enumerate(header):
        if name is None:
            continue
        key = header_key(name)
        if key in columns:
            field, rank = columns[key], -1
        elif key in _DEFAULT_NAMES:
            field, rank = _DEFAULT_NAMES[key]
        else:
            continue
        if field not in found or rank < found[field][0]:
            found[field] = (rank, index)
    return {field: index for field, (_, index) in found.items()}


def cell_text(value: Any) -> str:
    """A cell as text: numbers without '.0' (ids like 100023), dates as ISO dates."""
    if type(value) is str:  # every CSV cell: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def split_keywords(text: str) -> list[str]:
    return [word for word in KEYWORD_SEPARATORS.split(text) if word]


def _blank(row: list[Any]) -> bool:
    return all(value is None or not str(value).strip() for value in row)


def _articles(path: Path, rows: Iterable[tuple[int, list[Any]]], columns: Mapping[str, str],
              where: str = "") -> Rows:
    """Find the header among `rows`, then yield (line, article mapping) for each data row."""
    first: list[Any] | None = None
    header_line, seen = 0, 0
    mapping: dict[str, int] = {}
    iterator = iter(rows)
    for line, row in iterator:
        if _blank(row):
            continue
        first = row if first is None else first
        mapping = map_header(row, columns)
        if "title" in mapping and "body" in mapping:
            header_line = line
            break
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise DataFileError(path, None, f"no header row{where}: the file is empty")
    if not header_line:
        found = ", ".join(cell_text(v) for v in first if cell_text(v))
        missing = " and ".join(f for f in ("title", "body") if f not in map_header(first, columns))
        raise DataFileError(path, None, f"no usable {missing} column{where}; headers found: "
                            f"{found} (name them with --map COLUMN=title --map COLUMN=body)")
    keyed = list(mapping.items())
    for line, row in iterator:
        if _blank(row):
            continue
        size = len(row)
        record: dict[str, Any] = {}
        for field, index in keyed:
            record[field] = cell_text(row[index]) if index < size else ""
        if "keywords" in record:
            record["keywords"] = split_keywords(record["keywords"])
        if "id" not in mapping:
            record["id"] = f"{path.stem}-{line}"
        yield line, record


def decode_csv(path: Path, raw: bytes) -> str:
    """UTF-16 with a BOM, else UTF-8 (BOM optional) strictly, else GB18030 (a GBK superset)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, None, "cannot decode: neither UTF-8 nor GBK/GB18030 "
                            f"(byte {exc.start})") from None


def _csv_rows(path: Path, text: str, size: int, progress: Progress | None
              ) -> Iterator[tuple[int, list[str]]]:
    first_line = text[:text.find("\n")] if "\n" in text else text
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    source = io.StringIO(text, newline="")
    reader = csv.reader(source, delimiter=delimiter)
    reported, total = 0, max(len(text), 1)
    line = count = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataFileError(path, line, f"bad CSV: {exc}") from None
        yield line, row
        line = reader.line_num + 1
        count += 1
        if progress and count % 1000 == 0:
            done = size * source.tell() // total
            progress(done - reported)
            reported = done
    if progress:
        progress(size - reported)


def read_csv(path: Path, columns: Mapping[str, str] | None = None,
             progress: Progress | None = None) -> Rows:
    """(line, article mapping) for each row of a CSV export; the line is where the row starts."""
    raw = path.read_bytes()
    text = decode_csv(path, raw)
    yield from _articles(path, _csv_rows(path, text, len(raw), progress), columns or {})


def read_xlsx(path: Path, columns: Mapping[str, str] | None = None,
              progress: Progress | None = None) -> Rows:
    """(row number, article mapping) for each row of the first sheet with a title and a body
    column; XLSX read with openpyxl in read-only mode, formulas as their cached values."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataFileError(path, None, f"cannot read as an Excel workbook: {exc}") from None
    try:
        problems = []
        for sheet in workbook.worksheets:
            rows = ((number, list(row)) for number, row in
                    enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1))
            where = f" in sheet {sheet.title!r}"
            try:
                yield from _articles(path, rows, columns or {}, where)
            except DataFileError as exc:
                problems.append(exc.message)
                continue
            break
        else:
            detail = "; ".join(problems) or "the workbook has no sheet"
            raise DataFileError(path, None, detail)
    finally:
        workbook.close()
    if progress:
        progress(path.stat().st_size)
