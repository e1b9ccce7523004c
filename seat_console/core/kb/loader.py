"""Read KB articles and directory entries from kb_data/ files, validating every record.

Articles: JSON Lines (`*.jsonl`), one object a line:
  {"id": str, "title": str, "body": str, "keywords": [str], "category": str, "department": str}
  optional "synonyms": [str], "updated": "YYYY-MM-DD". Hand-written articles may be YAML
  (`*.yaml` holding a list of such mappings, or a mapping with an `articles:` list).
Directory entries live in their own file whose records carry `"kind": "directory"`.
A bad record is reported with its file and line and skipped; the rest still load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError
from seat_console.core.yaml_source import load_yaml

Progress = Callable[[int], None]
ARTICLE_FIELDS = {"id": str, "title": str, "body": str, "category": str, "department": str}
DIRECTORY_FIELDS = {"id": str, "name": str, "services": list, "phone": str, "hours": str,
                    "area": str, "category": str}
NON_DATA_FILES = {"synonyms.yaml", "taxonomy.yaml", "referral.yaml", "holidays_fallback.yaml"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def _check(obj: Any) -> str | None:
    """What is wrong with one record, or None."""
    if not isinstance(obj, dict):
        return "expected an object"
    kind = obj.get("kind", "article")
    if kind not in ("article", "directory"):
        return f"kind must be 'article' or 'directory', got {kind!r}"
    required = DIRECTORY_FIELDS if kind == "directory" else ARTICLE_FIELDS
    for name, expected in required.items():
        if name not in obj:
            return f"missing field {name!r}"
        if not isinstance(obj[name], expected) or (expected is str and not obj[name].strip()):
            return f"field {name!r} must be a non-empty {expected.__name__}"
    for name in ("keywords", "synonyms", "services"):
        if name in obj and not _string_list(obj[name]):
            return f"field {name!r} must be a list of strings"
    if kind == "article" and "keywords" not in obj:
        return "missing field 'keywords'"
    updated = obj.get("updated")
    if updated is not None and not (isinstance(updated, str) and _DATE.match(updated)):
        return f"field 'updated' must be YYYY-MM-DD, got {updated!r}"
    return None


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
    return KbRecord(obj["id"], kind, obj["title"], obj["body"], list(obj["keywords"]),
                    list(obj.get("synonyms", [])), obj["category"], obj["department"],
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
                yield number, DataFileError(path, number, f"invalid JSON: {exc.msg}")


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


def load_file(path: Path, result: LoadResult, progress: Progress | None = None) -> None:
    """Validate and load one file into `result`; `progress` is told the bytes read."""
    rows = _jsonl(path, progress) if path.suffix == ".jsonl" else _yaml(path)
    try:  # the readers are lazy: errors surface while collecting
        _collect(path, rows, result)
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
            result.errors.append(DataFileError(path, line, problem))
        else:
            result.records.append(_record(item, f"{path}:{line}"))


def data_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".jsonl", ".yaml", ".yml")
                            and p.name not in NON_DATA_FILES)
        else:
            files.append(path)
    return files


def load_kb(paths: Iterable[Path], progress: Progress | None = None) -> LoadResult:
    """Load every record of the given files or kb_data/ directories; duplicates are errors.
    `progress` is told the bytes read (JSON Lines files)."""
    result = LoadResult()
    for path in data_files(paths):
        load_file(path, result, progress)
    seen: dict[str, str] = {}
    unique = []
    for record in result.records:
        if record.id in seen:
            file, _, line = record.source.rpartition(":")
            result.errors.append(
                DataFileError(file, int(line), f"duplicate id {record.id!r} (first at {seen[record.id]})")
            )
        else:
            seen[record.id] = record.source
            unique.append(record)
    result.records = unique
    return result
