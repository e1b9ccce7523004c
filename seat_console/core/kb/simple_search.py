"""Fuzzy search over KB titles, keywords and synonyms with rapidfuzz.

A linear scan, fine for the few hundred entries of the sample KB; the indexed, pinyin-aware
engine of the knowledge-base issue replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from seat_console.core.models import KbArticle


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    category: str
    department: str
    score: float


class SimpleSearch:
    def __init__(self, articles: list[KbArticle]) -> None:
        self._articles = articles
        self._texts = [" ".join([a.title, *a.keywords, *a.synonyms, a.category]) for a in articles]

    def __len__(self) -> int:
        return len(self._articles)

    def get(self, article_id: str) -> KbArticle | None:
        return next((a for a in self._articles if a.id == article_id), None)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        query = query.strip()
        if not query:
            return []
        matches = process.extract(
            query, self._texts, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=60
        )
        hits = []
        for _text, score, index in matches:
            article = self._articles[index]
            hits.append(Hit(article.id, article.kind, article.title, article.category,
                            article.department, float(score)))
        return hits
