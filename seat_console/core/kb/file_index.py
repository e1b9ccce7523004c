"""The index of a KB given as files (`kb search --kb PATH`), reused without reading the files
while they are unchanged.

An index is saved under the content hash of its records (index.py), which needs every record
read. For files that have not changed since the last search that is wasted: a small memo under
`cache/sources/` maps the files' identity (path, size and modification time of each data file
and of its synonyms.yaml, the column mapping, the engine version) to the content hash and the
load's problems, so a repeated search loads the saved index at once and reports the same
problems.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from seat_console.core.errors import DataFileError
from seat_console.core.kb.index import ENGINE_VERSION, KbIndex, open_index
from seat_console.core.kb.load_report import KbProblem, problem_kind
from seat_console.core.kb.loader import LoadResult, data_files, load_kb
from seat_console.core.kb.synonyms import SYNONYMS_FILE, synonyms_for


def files_identity(paths: list[Path], columns: Mapping[str, str]) -> str:
    digest = hashlib.sha256(json.dumps([ENGINE_VERSION, sorted(columns.items())]).encode())
    folders = {path if path.is_dir() else path.parent for path in paths}
    for file in [*data_files(paths), *(folder / SYNONYMS_FILE for folder in sorted(folders))]:
        try:
            stat = file.stat()
        except OSError:
            digest.update(f"{file.resolve()} absent".encode())
            continue
        digest.update(f"{file.resolve()} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def open_file_index(paths: list[Path], columns: Mapping[str, str],
                    cache: Path) -> tuple[KbIndex | None, list[DataFileError]]:
    """The index of the KB in `paths` and the problems of loading it (index None when no
    record loaded)."""
    memo = cache / "sources" / f"{files_identity(paths, columns)}.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        index = KbIndex.load(cache / known["key"])
        return index, [KbProblem(Path(p), line, message, kind)
                       for p, line, message, kind in known["problems"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # first search of these files, or the memo or the index is gone: load them
    result: LoadResult = load_kb(paths, columns=columns)
    if not result.records:
        return None, result.errors
    index = open_index(result.records, synonyms_for(paths), cache)
    problems = [[str(e.path), e.line, e.message, problem_kind(e)] for e in result.errors]
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        temporary = memo.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"key": index.key, "problems": problems},
                                        ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, memo)
    except OSError:
        pass  # a read-only cache: the next search reads the files again
    return index, result.errors
