"""Read KB articles and directory entries from kb_data/ files and exports, validating every record.

Articles: JSON Lines (`*.jsonl`), one object a line:
  {"id": str, "title": str, "body": str, "keywords": [str], "category": str, "department": str}
  where only id, title and body are required (an id may be a number); optional "synonyms":
  [str], "updated": "YYYY-MM-DD". Hand-written articles may be YAML (`*.yaml` holding a list of
  such mappings, or a mapping with an `articles:` list). Table exports (`*.csv`, `*.xlsx`) are
  read by table_reader. A missing category, department or keywords is stored empty; people see
  it as UNCATEGORIZED / NO_DEPARTMENT (`shown_category`, `shown_department`).
Directory entries live in their own file whose records carry `"kind": "directory"`.
A bad record is reported with its file and line and skipped; the rest still load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError
from seat_console.core.kb.load_report import KbProblem
from seat_console.core.kb.table_reader import read_csv, read_xlsx
from seat_console.core.yaml_source import load_yaml

Progress = Callable[[int], None]
ARTICLE_FIELDS = {"id": str, "title": str, "body": str}
ARTICLE_OPTIONAL = ("category", "department")
DIRECTORY_FIELDS = {"id": str, "name": str, "services": list, "phone": str, "hours": str,
                    "area": str, "category": str}
NON_DATA_FILES = {"synonyms.yaml", "taxonomy.yaml", "referral.yaml", "holidays_fallback.yaml"}
DATA_SUFFIXES = (".jsonl", ".yaml", ".yml", ".csv", ".xlsx")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What a person sees for an empty category or department (the stored value stays "").
UNCATEGORIZED = "未分类"
NO_DEPARTMENT = "未注明"


def shown_category(category: str) -> str:
    return category or UNCATEGORIZED


def shown_department(department: str) -> str:
    return department or NO_DEPARTMENT


@dataclass
class KbRecord:
    id: str
    kind: str
    title: str
    body: str
    keywords: list[str]
    synonyms: list[str]
    category: str
    department: str
    updated: str | None
    extra: dict[str, Any]
    source: str


@dataclass
class LoadResult:
    records: list[KbRecord] = field(default_factory=list)
    errors: list[DataFileError] = field(default_factory=list)


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _field_problem(obj: dict[str, Any], name: str, expected: type, article: bool
                   ) -> tuple[str, str] | None:
    """(kind, message) when required field `name` is missing, empty or of the wrong type."""
    if name not in obj:
        return f"missing field {name!r}", f"missing field {name!r}"
    value = obj[name]
    if article and name == "id" and isinstance(value, int) and not isinstance(value, bool):
        return None  # numeric ids of exports: stored as text
    if not isinstance(value, expected):
        kind = f"field {name!r} must be a {'list' if expected is list else 'string'}"
        return kind, f"{kind}, got {type(value).__name__}"
    if expected is str and not value.strip():
        return f"empty field {name!r}", f"empty field {name!r}"
    return None


def _check(obj: Any) -> tuple[str, str] | None:
    """(kind, message) of what is wrong with one record, or None. The kind leaves out the
    record's own values, so that problems can be counted by kind."""
    if not isinstance(obj, dict):
        return "expected an object", "expected an object"
    kind = obj.get("kind", "article")
    if kind not in ("article", "directory"):
        problem = "kind must be 'article' or 'directory'"
        return problem, f"{problem}, got {kind!r}"
    article = kind == "article"
    for name, expected in (ARTICLE_FIELDS if article else DIRECTORY_FIELDS).items():
        found = _field_problem(obj, name, expected, article)
        if found:
            return found
    for name in ARTICLE_OPTIONAL if article else ():
        if obj.get(name) is not None and not isinstance(obj[name], str):
            problem = f"field {name!r} must be a string"
            return problem, f"{problem}, got {type(obj[name]).__name__}"
    for name in ("keywords", "synonyms", "services"):  # an article's may be null: none
        if name in obj and not (article and obj[name] is None) and not _string_list(obj[name]):
            problem = f"field {name!r} must be a list of strings"
            return problem, problem
    updated = obj.get("updated")
    if updated is not None and not (isinstance(updated, str) and _DATE.match(updated)):
        problem = "field 'updated' must be YYYY-MM-DD"
        return problem, f"{problem}, got {updated!r}"
    return None


def _text(value: Any) -> str:
    """An optional text field as stored: "" when missing, null or only whitespace."""
    return value if isinstance(value, str) and value.strip() else ""


def _record(obj: dict[str, Any], source: str) -> KbRecord:
    kind = obj.get("kind", "article")
    if kind == "directory":
        services = obj["services"]
        extra = {k: obj[k] for k in ("phone", "hours", "area", "address", "services",
                                     "referral") if k in obj}
        body = obj.get("body") or (
            f"服务项目:{'、'.join(services)}\n电话:{obj['phone']}\n时间:{obj['hours']}\n"
            f"区域:{obj['area']}"
        )
        return KbRecord(obj["id"], kind, obj["name"], body, list(obj.get("keywords", services)),
                        list(obj.get("synonyms", [])), obj["category"],
                        obj.get("department", ""), obj.get("updated"), extra, source)
    return KbRecord(str(obj["id"]), kind, obj["title"], obj["body"],
                    list(obj.get("keywords") or []), list(obj.get("synonyms") or []),
                    _text(obj.get("category")), _text(obj.get("department")),
                    obj.get("updated"), {}, source)


def _jsonl(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, Any | DataFileError]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if progress:
                progress(len(line.encode("utf-8")))
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, KbProblem(path, number, f"invalid JSON: {exc.msg}", "invalid JSON")


def _yaml(path: Path) -> Iterator[tuple[int, Any | DataFileError]]:
    document = load_yaml(path)
    data = document.data
    prefix: tuple[Any, ...] = ()
    if isinstance(data, dict) and "articles" in data:
        data, prefix = data["articles"], ("articles",)
    if not isinstance(data, list):
        yield document.line_of(()) or 1, document.error((), "expected a list of articles")
        return
    for index, item in enumerate(data):
        yield document.line_of(prefix + (index,)) or 1, item


def _rows(path: Path, progress: Progress | None, columns: Mapping[str, str] | None
          ) -> Iterator[tuple[int, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl(path, progress)
    if suffix == ".csv":
        return read_csv(path, columns, progress)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, columns, progress)
    if suffix == ".xls":
        raise DataFileError(path, None, "old Excel format (.xls): save it as .xlsx or .csv")
    return _yaml(path)


def load_file(path: Path, result: LoadResult, progress: Progress | None = None,
              columns: Mapping[str, str] | None = None) -> None:
    """Validate and load one file into `result`; `progress` is told the bytes read. `columns`
    maps table headers to fields ({header key: field}, see table_reader.parse_mapping)."""
    try:  # the readers are lazy: errors surface while collecting
        _collect(path, _rows(path, progress, columns), result)
    except (OSError, UnicodeDecodeError) as exc:
        result.errors.append(DataFileError(path, None, f"cannot read: {exc}"))
    except DataFileError as exc:
        result.errors.append(exc)


def _collect(path: Path, rows: Iterable[tuple[int, Any]], result: LoadResult) -> None:
    for line, item in rows:
        if isinstance(item, DataFileError):
            result.errors.append(item)
            continue
        problem = _check(item)
        if problem:
            result.errors.append(KbProblem(path, line, problem[1], problem[0]))
        else:
            result.records.append(_record(item, f"{path}:{line}"))


def data_files(paths: Iterable[Path]) -> list[Path]:
    """The files of `paths`: files as given, folders' KB files (not their other data files,
    nor Excel's ~$ lock files) in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in DATA_SUFFIXES
                            and p.name not in NON_DATA_FILES and not p.name.startswith("~$"))
        else:
            files.append(path)
    return files


def load_kb(paths: Iterable[Path], progress: Progress | None = None,
            columns: Mapping[str, str] | None = None) -> LoadResult:
    """Load every record of the given files or kb_data/ directories; duplicates are errors.
    `progress` is told the bytes read (JSON Lines and CSV files); `columns` maps table headers
    to fields (--map)."""
    result = LoadResult()
    for path in data_files(paths):
        load_file(path, result, progress, columns)
    seen: dict[str, str] = {}
    unique = []
    for record in result.records:
        if record.id in seen:
            file, _, line = record.source.rpartition(":")
            result.errors.append(KbProblem(
                file, int(line), f"duplicate id {record.id!r} (first at {seen[record.id]})",
                "duplicate id"))
        else:
            seen[record.id] = record.source
            unique.append(record)
    result.records = unique
    return result
