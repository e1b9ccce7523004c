"""`seat-console kb import | stats | search`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from seat_console.commands.json_lines import utf8_stdio
from seat_console.config import Config
from seat_console.core.kb.file_index import open_file_index
from seat_console.core.errors import DataFileError
from seat_console.core.kb.load_report import report_lines
from seat_console.core.kb.loader import (
    LoadResult,
    data_files,
    load_kb,
    shown_category,
    shown_department,
)
from seat_console.core.kb.search import KbSearch, SearchHit
from seat_console.core.kb.synonyms import synonyms_for
from seat_console.core.plain_text import printable

# The database (SQLAlchemy, the models) is imported where it is used: `kb search --kb FILE`
# answers without it, a quarter of a second sooner.


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seat-console" / "kb-index"


def report(errors: list[DataFileError], level: str, verbose: bool) -> None:
    """The load's problems on stderr: one line per kind (every record with --verbose)."""
    for line in report_lines(errors, verbose):
        print(printable(f"{level}: {line}", one_line=True), file=sys.stderr)


def columns(args: argparse.Namespace) -> dict[str, str]:
    """--map COLUMN=field (repeatable), parsed by the argument parser into (key, field)."""
    return dict(getattr(args, "map", None) or [])


def engine_for(args: argparse.Namespace, config: Config) -> KbSearch:
    """The KB of --kb PATH (index built or reused from the cache), else the database's."""
    if args.kb:
        path = Path(args.kb)
        if not path.exists():
            raise SystemExit(f"seat-console: error: --kb {path}: no such file or folder")
        index, problems = open_file_index([path], columns(args), cache_folder())
        report(problems, "warning", args.verbose)
        if index is None:  # nothing to search (and KbIndex.build needs one entry)
            raise SystemExit(f"seat-console: error: --kb {path}: no KB entries loaded")
        return KbSearch(index, synonyms_for([path]))
    from seat_console.core.kb.store import engine_for_db
    from seat_console.core.workspace import open_store

    return engine_for_db(open_store(config)[0])


def _hit_json(hit: SearchHit) -> dict[str, object]:
    return {"id": hit.id, "title": hit.title, "score": hit.score}


def _answer(engine: KbSearch, query: str, limit: int) -> dict[str, object]:
    started = time.perf_counter()
    hits = engine.search(query, limit)
    elapsed = (time.perf_counter() - started) * 1000
    return {"query": query, "hits": [_hit_json(h) for h in hits], "ms": round(elapsed, 3)}


def search(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    engine = engine_for(args, config)
    if args.batch:
        for line in sys.stdin:
            query = line.rstrip("\n")
            sys.stdout.write(json.dumps(_answer(engine, query, args.limit), ensure_ascii=False)
                             + "\n")
            sys.stdout.flush()
        return 0
    if not args.query:
        raise SystemExit("seat-console: error: kb search: give a QUERY or --batch")
    query = " ".join(args.query)
    if args.json:
        print(json.dumps(_answer(engine, query, args.limit), ensure_ascii=False))
        return 0
    started = time.perf_counter()
    hits = engine.search(query, args.limit)
    elapsed = (time.perf_counter() - started) * 1000
    for rank, hit in enumerate(hits, 1):
        title = _bracket_spans(hit.title, hit.spans)
        if hit.kind == "directory":
            kind, department = "便民", hit.department
        else:
            kind, department = shown_category(hit.category), shown_department(hit.department)
        print(printable(f"{rank:2}. {hit.score:.3f}  {hit.id:<22} [{kind}] {title}  "
                        f"({department})", one_line=True))
    print(f"{len(hits)} hits in {elapsed:.2f} ms ({len(engine)} entries)")
    return 0


def _bracket_spans(title: str, spans: list[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in spans:
        parts += [title[last:start], "【", title[start:end], "】"]
        last = end
    return "".join(parts + [title[last:]])


def import_(args: argparse.Namespace, config: Config) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise SystemExit(f"seat-console: error: no such file or folder: {missing[0]}")
    total = sum(f.stat().st_size for f in data_files(paths))
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeRemainingColumn(), transient=True, disable=total < 2_000_000) as progress:
        task = progress.add_task("validating", total=total)
        result = load_kb(paths, progress=lambda n: progress.advance(task, n),
                         columns=columns(args))
    report(result.errors, "error", args.verbose)  # bad records, duplicate ids (the first wins)
    if args.replace and not result.records:  # e.g. a forgotten --map: keep the KB there is
        raise SystemExit("seat-console: error: no KB entries loaded; --replace would empty "
                         "the KB, nothing changed")
    from seat_console.core.db import Database
    from seat_console.core.kb.store import article_count, engine_for_db, import_records

    db = Database(config.database)
    count = import_records(db, LoadResult(result.records, []), synonyms_for(paths),
                           replace=args.replace)
    if article_count(db):
        engine_for_db(db)  # build the index now, so the console starts fast
    print(f"imported {count} entries into {config.database}; "
          f"{len(result.errors)} bad record(s) skipped")
    return 1 if result.errors else 0


def stats(args: argparse.Namespace, config: Config) -> int:
    engine = engine_for(args, config)  # its index holds what the summary counts
    records = engine.index.docs
    if args.kb:
        source, cache = str(args.kb), cache_folder()
    else:
        from seat_console.core.kb.store import index_cache
        from seat_console.core.workspace import open_store

        source, cache = str(config.database), index_cache(open_store(config)[0])
    kinds = Counter(r.kind for r in records)
    summary = {
        "source": source,
        "articles": kinds.get("article", 0),
        "directory_entries": kinds.get("directory", 0),
        "categories": dict(Counter(r.category for r in records if r.kind == "article").most_common()),
        "departments": len({r.department for r in records if r.department}),
        "synonym_groups": len(engine.synonyms.groups),
        "index": {"key": engine.index.key, "tokens": len(engine.index.vocab),
                  "postings": int(engine.index.counts.sum()), "cache": str(cache)},
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"{source}: {summary['articles']} articles, {summary['directory_entries']} directory "
          f"entries, {summary['departments']} departments, {summary['synonym_groups']} synonym groups")
    for category, count in summary["categories"].items():  # type: ignore[union-attr]
        print(printable(f"  {shown_category(category):<10} {count}", one_line=True))
    index = summary["index"]
    print(f"index {index['key']}: {index['tokens']} tokens, {index['postings']} postings")  # type: ignore[index]
    return 0
