"""KB entries in hotline.db: seeding from kb_data/ on first run, and reading them back."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import func, select

from seat_console.core.db import Database
from seat_console.core.kb.loader import LoadResult, load_kb
from seat_console.core.models import KbArticle


def article_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(KbArticle)).one()


def import_records(db: Database, result: LoadResult) -> int:
    """Insert or replace the loaded records in one transaction; returns how many."""
    with db.write() as session:
        for record in result.records:
            session.merge(KbArticle(**record.__dict__))
    return len(result.records)


def seed_if_empty(db: Database, kb_data: Path) -> LoadResult | None:
    """On first run (no KB rows yet) load the shipped kb_data/; returns what was loaded."""
    if article_count(db) > 0:
        return None
    result = load_kb([kb_data])
    import_records(db, result)
    return result


def all_articles(db: Database) -> list[KbArticle]:
    with db.read() as session:
        return list(session.exec(select(KbArticle).order_by(KbArticle.id)).all())
