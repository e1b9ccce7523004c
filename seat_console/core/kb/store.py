"""The KB in hotline.db: import (validated records + synonym table), its content fingerprint,
and the search engine over it, whose index is cached beside the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, insert
from sqlmodel import func, select

from seat_console.core.db import Database
from seat_console.core.kb.index import fingerprint, open_index_by_key
from seat_console.core.kb.loader import KbRecord, LoadResult, load_kb
from seat_console.core.kb.search import KbSearch
from seat_console.core.kb.synonyms import EMPTY, SynonymTable, synonyms_for
from seat_console.core.models import KbArticle, KbMeta

BATCH = 2000


def article_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(KbArticle)).one()


def _to_row(record: KbRecord) -> dict[str, object]:
    return dict(record.__dict__)


def _to_record(article: KbArticle) -> KbRecord:
    return KbRecord(article.id, article.kind, article.title, article.body, list(article.keywords),
                    list(article.synonyms), article.category, article.department,
                    article.updated, dict(article.extra), article.source)


def all_records(db: Database) -> list[KbRecord]:
    with db.read() as session:
        return [_to_record(a) for a in session.exec(select(KbArticle).order_by(KbArticle.id))]


def stored_synonyms(db: Database) -> SynonymTable:
    with db.read() as session:
        meta = session.get(KbMeta, "synonyms")
    if meta is None:
        return EMPTY
    return SynonymTable(tuple(tuple(group) for group in json.loads(meta.value)))


def import_records(db: Database, result: LoadResult, synonyms: SynonymTable | None = None, *,
                   replace: bool = False, progress: Callable[[int], None] | None = None) -> int:
    """Insert or replace the loaded records (all in one transaction), store the synonym table,
    and record the KB fingerprint. With `replace`, entries not in `result` are removed."""
    with db.write() as session:
        if replace:
            session.execute(delete(KbArticle))
        rows = [_to_row(r) for r in result.records]
        for start in range(0, len(rows), BATCH):
            session.execute(insert(KbArticle).prefix_with("OR REPLACE"), rows[start:start + BATCH])
            if progress:
                progress(len(rows[start:start + BATCH]))
        if synonyms is not None:
            session.merge(KbMeta(key="synonyms", value=json.dumps(synonyms.groups,
                                                                  ensure_ascii=False)))
    refresh_fingerprint(db)
    return len(result.records)


def refresh_fingerprint(db: Database) -> str:
    key = fingerprint(all_records(db), stored_synonyms(db))
    with db.write() as session:
        session.merge(KbMeta(key="fingerprint", value=key))
    return key


def seed_if_empty(db: Database, kb_data: Path) -> LoadResult | None:
    """On first run (no KB rows yet) load the shipped kb_data/; returns what was loaded."""
    if article_count(db) > 0:
        return None
    result = load_kb([kb_data])
    import_records(db, result, synonyms_for([kb_data]))
    return result


def index_cache(db: Database) -> Path:
    return db.path.with_name(db.path.name + ".kbindex")


def engine_for_db(db: Database) -> KbSearch:
    """The search engine over the KB in `db` (its index loaded from the cache when unchanged)."""
    with db.read() as session:
        meta = session.get(KbMeta, "fingerprint")
    key = meta.value if meta else refresh_fingerprint(db)
    synonyms = stored_synonyms(db)
    index = open_index_by_key(key, lambda: (all_records(db), synonyms), index_cache(db))
    return KbSearch(index, synonyms)


def get_article(db: Database, article_id: str) -> KbArticle | None:
    with db.read() as session:
        return session.get(KbArticle, article_id)
