"""Search the KB index: query -> tokens (characters, pinyin, initials, synonyms) -> BM25
candidates from the postings -> rapidfuzz rerank, the place a title names against the query's
(place_titles.py) -> hits with matched spans in the title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from rapidfuzz import fuzz

from seat_console.core.kb.index import KbIndex
from seat_console.core.kb.synonyms import EMPTY, SynonymTable
from seat_console.core.kb.text_features import (
    CJK_RUN,
    HAS_CJK,
    ascii_words,
    bigrams,
    cjk_runs,
    ngrams,
    segment_pinyin,
    syllables,
)

CANDIDATES = 60
SYNONYM_WEIGHT = 0.7
BM25_SHARE = 0.65  # final score = 0.65 * BM25 (relative to the best) + 0.35 * fuzzy similarity
VOWELS = set("aeiouv")
LICENCE_CLASS = re.compile(r"[a-z]\d+(?=[a-z])")  # c1jiazhao: c1 (a driving licence class)
LETTERS_OR_DIGITS = re.compile(r"[a-z]+|\d+")
WORDS = re.compile(f"{CJK_RUN.pattern}|[a-z0-9]+")  # what a mixed query is compared by
# Weight of each kind of query token, by field.
CHAR_WEIGHTS = {"T": 3.0, "K": 2.5, "B": 1.0}
# A long query (a question as spoken, at least LONG_QUERY Chinese characters) loses its fillers
# (query_fillers.txt); it and a query of several words lean on the body, where matters are
# described.
LONG_QUERY = 8
LONG_BODY_WEIGHT = 6.0
WORDS_BODY_WEIGHT = 4.0  # a short query of several words
HOMOPHONE_WEIGHTS = {"TP": 1.2, "KP": 1.0}
PINYIN_WEIGHTS = {"TP": 3.0, "KP": 2.5}
INITIALS_WEIGHTS = {"TI": 2.0, "KI": 1.8}


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: str
    title: str
    category: str
    department: str
    score: float
    spans: list[tuple[int, int]] = field(default_factory=list)  # matched parts of the title


@dataclass
class QueryPlan:
    tokens: list[tuple[str, float]]
    chars: list[str]  # CJK runs of the query and its synonym expansions
    pinyin: list[list[str]]  # syllables of typed pinyin words
    initials: list[str]  # typed words read as initials
    # a question as spoken (LONG_QUERY characters or more) or several words: the matter is
    # described, as bodies describe it
    described: bool = False


def normalize_query(query: str) -> str:
    return unicodedata.normalize("NFKC", query).strip().lower()


@lru_cache(maxsize=1)
def _fillers() -> re.Pattern[str]:
    text = resources.files("seat_console.core.kb").joinpath("query_fillers.txt").read_text(
        encoding="utf-8")
    words = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    return re.compile("|".join(
        re.escape(w[:-1]) + r"(?=[\s，。？！,.?!；;、]|$)" if w.endswith("$") else re.escape(w)
        for w in sorted(words, key=len, reverse=True)))


def _is_long(runs: list[str]) -> bool:
    return sum(len(run) for run in runs) >= LONG_QUERY


def without_fillers(query: str, runs: list[str] | None = None) -> str:
    """A long query without what callers wrap a question in; a short one as it is. `runs`:
    the query's CJK runs, when the caller has them already."""
    return _fillers().sub(" ", query) if _is_long(runs or cjk_runs(query)) else query


def _char_tokens(run: str, weight: float, plan: QueryPlan, weights: dict[str, float]) -> None:
    if len(run) == 1:
        for field_name in ("T", "K"):
            plan.tokens.append((f"{field_name}.{run}", weights[field_name] * weight))
        return
    for gram in bigrams(run):
        for field_name, field_weight in weights.items():
            plan.tokens.append((f"{field_name}~{gram}", field_weight * weight))
    run_syllables = syllables(run)
    for left, right in zip(run_syllables, run_syllables[1:]):
        for namespace, namespace_weight in HOMOPHONE_WEIGHTS.items():
            plan.tokens.append((f"{namespace}~{left} {right}", namespace_weight * weight))


def plan_query(query: str, synonyms: SynonymTable) -> QueryPlan:
    plan = QueryPlan([], [], [], [])
    runs = cjk_runs(query)
    long = _is_long(runs)
    plan.described = long or len(runs) >= 2
    terms = without_fillers(query, runs)
    weights = ({**CHAR_WEIGHTS, "B": LONG_BODY_WEIGHT if long else WORDS_BODY_WEIGHT}
               if plan.described else CHAR_WEIGHTS)
    for run in cjk_runs(terms):
        plan.chars.append(run)
        _char_tokens(run, 1.0, plan, weights)
    for word in synonyms.expansions(query) if HAS_CJK.search(query) else []:
        for run in cjk_runs(word):
            plan.chars.append(run)
            _char_tokens(run, SYNONYM_WEIGHT, plan, weights)
    for typed in ascii_words(query):
        for field_name in ("T", "K"):
            plan.tokens.append((f"{field_name}#{typed}", CHAR_WEIGHTS[field_name]))
        for part in mixed_parts(typed):
            if part != typed and not part.isalpha():  # 60, c1: as the title writes them
                for field_name in ("T", "K"):
                    plan.tokens.append((f"{field_name}#{part}", CHAR_WEIGHTS[field_name]))
            if part.isalpha():
                _letter_tokens(part, plan)
    return plan


def mixed_parts(typed: str) -> list[str]:
    """A typed word with digits in it, in the parts that mean something on their own:
    60suiyishang -> 60, suiyishang; c1jiazhao -> c1, jiazhao (a licence class keeps its letter);
    koule3fen -> koule, 3, fen; 6srx -> 6, srx. A word without digits is itself."""
    if typed.isalpha() or typed.isdigit():
        return [typed]
    parts = []
    head = LICENCE_CLASS.match(typed)
    if head:
        parts.append(head.group())
        typed = typed[head.end():]
    parts.extend(LETTERS_OR_DIGITS.findall(typed))
    return parts


def _letter_tokens(word: str, plan: QueryPlan) -> None:
    """Pinyin and initials tokens of one typed word. A word the pinyin splitter reads only in
    part (gatxz: ga + txz) is looked up as initials too."""
    split = segment_pinyin(word) if VOWELS & set(word) else None
    partial = split is not None and len("".join(split)) < len(word)
    if split:
        plan.pinyin.append(split)
        for namespace, weight in PINYIN_WEIGHTS.items():
            if len(split) == 1:
                plan.tokens.append((f"{namespace}.{split[0]}", weight))
            for left, right in zip(split, split[1:]):
                plan.tokens.append((f"{namespace}~{left} {right}", weight))
    if not split or partial or len(word) <= 3:
        plan.initials.append(word)
        for namespace, weight in INITIALS_WEIGHTS.items():
            grams = ngrams(word, 3) or ngrams(word, 2)
            for gram in grams:
                plan.tokens.append((f"{namespace}~{gram}", weight))


def _spans(title: str, doc_pinyin: list[str], doc_initials: str, plan: QueryPlan) -> list[tuple[int, int]]:
    marked = [False] * len(title)
    for run in plan.chars:
        pieces = bigrams(run) if len(run) > 1 else [run]
        for piece in pieces:
            start = title.find(piece)
            while start != -1:
                for i in range(start, start + len(piece)):
                    marked[i] = True
                start = title.find(piece, start + 1)
    for split in plan.pinyin:
        for left, right in zip(split, split[1:]) if len(split) > 1 else [(split[0], None)]:
            for i, syllable in enumerate(doc_pinyin):
                if syllable == left and (right is None or
                                         (i + 1 < len(doc_pinyin) and doc_pinyin[i + 1] == right)):
                    marked[i] = True
                    if right is not None:
                        marked[i + 1] = True
    for word in plan.initials:
        start = doc_initials.find(word)
        while start != -1:
            for i in range(start, start + len(word)):
                marked[i] = True
            start = doc_initials.find(word, start + 1)
    spans: list[tuple[int, int]] = []
    for i, on in enumerate(marked):
        if on and spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        elif on:
            spans.append((i, i + 1))
    return spans


class KbSearch:
    """Search engine over one KbIndex and its synonym table."""

    def __init__(self, index: KbIndex, synonyms: SynonymTable = EMPTY) -> None:
        self.index = index
        self.synonyms = synonyms

    def __len__(self) -> int:
        return len(self.index)

    def search(self, query: str, limit: int = 10, *, category: str | None = None,
               department: str | None = None, kind: str | None = None) -> list[SearchHit]:
        query = normalize_query(query)
        if not query or len(self.index) == 0:
            return []
        plan = plan_query(query, self.synonyms)
        scores = np.zeros(len(self.index), dtype=np.float32)
        for token, weight in plan.tokens:
            found = self.index.posting(token)
            if found is not None:
                documents, weights = found
                scores[documents] += weight * weights
        if category:
            scores[self.index.categories != category] = 0
        if department:
            scores[self.index.departments != department] = 0
        if kind:
            scores[self.index.kinds != kind] = 0
        matched = int(np.count_nonzero(scores))
        if matched == 0:
            return []
        take = min(CANDIDATES, matched)
        candidates = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else \
            np.flatnonzero(scores)
        best = float(scores[candidates].max())
        compact = query.replace(" ", "")
        # a query in Chinese prefers the articles of the place it names, the general ones when it
        # names none (typed pinyin names no place the titles could be compared with)
        places = self.index.places if plan.chars and self.index.places.names else None
        named = places.in_query(query) if places is not None else set()
        results = []
        for position in candidates:
            if scores[position] <= 0:
                continue
            doc = self.index.docs[position]
            similarity = self._similarity(compact, plan, doc.title, doc.keywords,
                                          "".join(doc.title_pinyin), doc.title_initials)
            score = BM25_SHARE * float(scores[position]) / best + (1 - BM25_SHARE) * similarity
            if places is not None:
                score *= places.factor(doc.title, named)
            results.append((score, position))
        results.sort(key=lambda item: -item[0])
        hits = []
        for score, position in results[:limit]:
            doc = self.index.docs[position]
            hits.append(SearchHit(doc.id, doc.kind, doc.title, doc.category, doc.department,
                                  round(score, 4),
                                  _spans(doc.title, doc.title_pinyin, doc.title_initials, plan)))
        return hits

    @staticmethod
    def _similarity(query: str, plan: QueryPlan, title: str, keywords: str, title_pinyin: str,
                    title_initials: str) -> float:
        if plan.chars:
            # the Chinese and the Latin words as typed (HPV 免费: hpv免费), titles in lower case
            text = "".join(WORDS.findall(query)) or query
            return max(fuzz.partial_ratio(text, title.lower()),
                       fuzz.partial_ratio(text, keywords.lower())) / 100
        best = 0.0
        letters = "".join(ascii_words(query))
        if plan.pinyin:
            best = max(best, fuzz.partial_ratio(letters, title_pinyin) / 100)
        if plan.initials:
            best = max(best, fuzz.partial_ratio(letters, title_initials.replace(" ", "")) / 100)
        return best
