"""The KB search index: an inverted index over character n-grams, pinyin syllables and
initials of title, keywords/synonyms and body, with BM25 weights precomputed per posting.

Candidate retrieval touches only the postings of the query's tokens (sub-linear in the KB);
scoring is a numpy scatter-add. The index is saved under a folder named by a content hash of
the KB and the synonym table, so an unchanged KB is loaded, not rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from seat_console.core.kb.body_postings import body_postings
from seat_console.core.kb.loader import KbRecord
from seat_console.core.kb.stored_docs import DocInfo, StoredDocs, save_docs
from seat_console.core.kb.synonyms import SynonymTable
from seat_console.core.kb.text_features import ascii_words, cjk_runs, initials, syllables

ENGINE_VERSION = "kb-index-4"  # 2: .npy arrays, memory-mapped; 3: entries read on demand;
# 4: weights in one byte each, scaled per token
COLUMNS = ("id", "kind", "category", "department")
ARRAYS = ("offsets", "postings", "weights", "scales")
LEVELS = 255  # a posting's weight is one byte: its share of the token's largest weight
K1, B = 1.2, 0.5
# Token namespaces: field x feature. T title, K keywords/synonyms/services, B body;
# ~ bigram, . unigram, P pinyin, I initials, # ascii word.
NAMESPACES = ("T", "K", "B", "TP", "KP", "TI", "KI", "T#", "K#")


def _keyword_text(record: KbRecord) -> str:
    extra = record.extra
    parts = [*record.keywords, *record.synonyms, *extra.get("services", []), extra.get("area", "")]
    return " ".join(p for p in parts if p)


@lru_cache(maxsize=65536)
def run_syllables(run: str) -> tuple[str, ...]:
    """pypinyin of one CJK run, cached: a title's runs are read for its tokens and for its
    pinyin line, and KBs repeat their words (half of a 20k build was pypinyin)."""
    return tuple(syllables(run))


def _title_pinyin(title: str) -> list[str]:
    result = [""] * len(title)
    for run_start, run in _runs_with_offsets(title):
        for offset, syllable in enumerate(run_syllables(run)):
            result[run_start + offset] = syllable
    return result


def _runs_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    from seat_console.core.kb.text_features import CJK_RUN

    for match in CJK_RUN.finditer(text):
        yield match.start(), match.group()


def field_tokens(field: str, text: str, *, pinyin: bool) -> list[str]:
    """The tokens of one field, as a list (comprehensions: a 100k build makes ~25M of them)."""
    tokens: list[str] = []
    add = tokens.extend
    for run in cjk_runs(text):
        if len(run) == 1:
            tokens.append(f"{field}.{run}")
        else:
            add([f"{field}~{run[i:i + 2]}" for i in range(len(run) - 1)])
            if field != "B":
                add([f"{field}.{char}" for char in run])
        if pinyin:
            spoken = run_syllables(run)
            add([f"{field}P.{syllable}" for syllable in spoken])
            add([f"{field}P~{left} {right}" for left, right in zip(spoken, spoken[1:])])
            letters = initials(list(spoken))
            add([f"{field}I~{letters[i:i + 2]}" for i in range(len(letters) - 1)])
            add([f"{field}I~{letters[i:i + 3]}" for i in range(len(letters) - 2)])
    if field != "B":
        add([f"{field}#{word}" for word in ascii_words(text)])
    return tokens


def head_tokens(record: KbRecord) -> list[str]:
    """The tokens of the title and the keywords/synonyms/services; the body's are made for all
    entries at once in numpy (body_postings.py: field_tokens("B", …) of each, once)."""
    return (field_tokens("T", record.title, pinyin=True)
            + field_tokens("K", _keyword_text(record), pinyin=True))


def namespace_of(token: str) -> str:
    field = token[0]
    kind = token[1]
    if kind in "PI#":
        return field + kind
    return field


def fingerprint(records: list[KbRecord], synonyms: SynonymTable) -> str:
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    for record in records:
        digest.update(json.dumps([record.id, record.kind, record.title, record.body,
                                  record.keywords, record.synonyms, record.category,
                                  record.department, record.extra], ensure_ascii=False,
                                 sort_keys=True).encode())
    digest.update(json.dumps(synonyms.groups, ensure_ascii=False).encode())
    return digest.hexdigest()[:24]


class KbIndex:
    """Postings (token -> documents with BM25 weights) plus what hits need to show."""

    def __init__(self, docs: Sequence[DocInfo], vocab: dict[str, int], offsets: np.ndarray,
                 postings: np.ndarray, weights: np.ndarray, scales: np.ndarray, key: str,
                 columns: Path | None = None) -> None:
        self.docs = docs
        self.vocab = vocab
        self.offsets = offsets
        self.postings = postings
        self.weights = weights  # uint8: weight = weights[k] * scales[token]
        self.scales = scales
        self.key = key
        self._columns_file = columns

    @cached_property
    def _columns(self) -> dict[str, list[str]]:
        """id, kind, category, department of every entry, for filters (read on first use)."""
        if self._columns_file is not None:
            return dict(zip(COLUMNS, json.loads(self._columns_file.read_text(encoding="utf-8"))))
        return {name: [getattr(d, name) for d in self.docs] for name in COLUMNS}

    @cached_property
    def categories(self) -> np.ndarray:
        return np.array(self._columns["category"], dtype=object)

    @cached_property
    def departments(self) -> np.ndarray:
        return np.array(self._columns["department"], dtype=object)

    @cached_property
    def kinds(self) -> np.ndarray:
        return np.array(self._columns["kind"], dtype=object)

    @cached_property
    def position(self) -> dict[str, int]:
        return {doc_id: i for i, doc_id in enumerate(self._columns["id"])}

    def __len__(self) -> int:
        return len(self.docs)

    def posting(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        token_id = self.vocab.get(token)
        if token_id is None:
            return None
        start, end = self.offsets[token_id], self.offsets[token_id + 1]
        return self.postings[start:end], self.weights[start:end] * self.scales[token_id]

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(cls, records: list[KbRecord], synonyms: SynonymTable) -> KbIndex:
        vocab: dict[str, int] = {}
        namespace_ids = {ns: i for i, ns in enumerate(NAMESPACES)}
        token_ids, doc_ids, tfs = array("i"), array("i"), array("f")
        docs = []
        add = vocab.setdefault
        for doc, record in enumerate(records):
            counts = Counter(head_tokens(record))
            # one comprehension per entry, not one Python statement per token: a 100k build
            # spends most of its time here
            token_ids.extend([add(token, len(vocab)) for token in counts])
            tfs.extend(counts.values())
            doc_ids.extend(array("i", [doc]) * len(counts))
            title_pinyin = _title_pinyin(record.title)
            docs.append(DocInfo(record.id, record.kind, record.title, record.category,
                                record.department, _keyword_text(record), title_pinyin,
                                "".join(s[0] if s else " " for s in title_pinyin)))
        token_namespace = [namespace_ids[namespace_of(token)] for token in vocab]
        body_vocabulary, body_documents, body_tokens = body_postings([r.body for r in records])
        body = namespace_ids["B"]
        first_body_token = len(vocab)
        vocab.update(zip(body_vocabulary, range(first_body_token,
                                                first_body_token + len(body_vocabulary))))
        token_namespace.extend([body] * len(body_vocabulary))
        tokens = np.concatenate((np.frombuffer(token_ids, dtype=np.int32),
                                 body_tokens + np.int32(first_body_token)))
        documents = np.concatenate((np.frombuffer(doc_ids, dtype=np.int32), body_documents))
        tf = np.concatenate((np.frombuffer(tfs, dtype=np.float32),
                             np.ones(len(body_documents), dtype=np.float32)))
        namespaces = np.array(token_namespace, dtype=np.int32)
        # each entry's length per namespace: the sum of its tf there
        lengths = np.bincount(documents.astype(np.int64) * len(NAMESPACES) + namespaces[tokens],
                              weights=tf, minlength=len(records) * len(NAMESPACES)).astype(
            np.float32).reshape(len(records), len(NAMESPACES))
        count = max(1, len(records))
        document_frequency = np.bincount(tokens, minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((count - document_frequency + 0.5) / (document_frequency + 0.5))
        average = np.maximum(lengths.mean(axis=0) if len(records) else
                             np.zeros(len(NAMESPACES), dtype=np.float32), 1e-6)
        posting_namespace = namespaces[tokens]
        length = lengths[documents, posting_namespace] / average[posting_namespace]
        weight = idf[tokens] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length))
        order = np.argsort(tokens, kind="stable")
        offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(document_frequency.astype(np.int64))
        levels, scales = quantize(weight[order].astype(np.float32), offsets)
        return cls(docs, vocab, offsets, documents[order].copy(), levels, scales,
                   fingerprint(records, synonyms))

    # -- persistence ------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write atomically into `folder` (a sibling temp folder renamed into place)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for name in ARRAYS:
            np.save(temporary / f"{name}.npy", getattr(self, name))
        vocabulary = sorted(self.vocab, key=self.vocab.__getitem__)
        (temporary / "vocab.json").write_text(json.dumps(vocabulary, ensure_ascii=False),
                                              encoding="utf-8")
        save_docs(self.docs, temporary)
        (temporary / "columns.json").write_text(json.dumps(
            [self._columns[name] for name in COLUMNS], ensure_ascii=False), encoding="utf-8")
        (temporary / "meta.json").write_text(json.dumps(
            {"engine": ENGINE_VERSION, "key": self.key, "documents": len(self.docs)}),
            encoding="utf-8")
        try:
            os.replace(temporary, folder)
        except OSError:  # another process saved the same index first
            shutil.rmtree(temporary, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KbIndex:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("engine") != ENGINE_VERSION:
            raise ValueError(f"index built by {meta.get('engine')}, not {ENGINE_VERSION}")
        # memory-mapped: a 100k-article KB's postings are read from the page cache as queries
        # touch them, not all into memory at start
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        vocabulary = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        docs = StoredDocs(folder)
        offsets, postings = arrays["offsets"], arrays["postings"]
        if not (len(offsets) == len(vocabulary) + 1 and offsets[-1] == len(postings)
                == len(arrays["weights"]) and len(arrays["scales"]) == len(vocabulary)
                and len(docs) == meta.get("documents")):
            raise ValueError(f"index in {folder} is inconsistent")
        return cls(docs, {token: i for i, token in enumerate(vocabulary)}, arrays["offsets"],
                   arrays["postings"], arrays["weights"], arrays["scales"], meta["key"],
                   folder / "columns.json")


def quantize(weights: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (sorted by token, token t's from offsets[t] to offsets[t + 1]) as one byte each
    and a scale per token: the error is under 0.2% of the token's largest weight, a quarter of
    the disk and of the pages a query reads."""
    tokens = len(offsets) - 1
    if not len(weights):
        return np.zeros(0, dtype=np.uint8), np.ones(tokens, dtype=np.float32)
    largest = np.maximum(np.maximum.reduceat(weights, offsets[:-1]), 1e-12)
    scales = (largest / LEVELS).astype(np.float32)
    per_posting = np.repeat(scales, np.diff(offsets))
    return np.rint(weights / per_posting).astype(np.uint8), scales


def open_index(records: list[KbRecord], synonyms: SynonymTable, cache: Path) -> KbIndex:
    """The index of `records`, loaded from `cache/<content hash>` or built and saved there."""
    key = fingerprint(records, synonyms)
    return open_index_by_key(key, lambda: (records, synonyms), cache)


def open_index_by_key(key: str, source: Callable[[], tuple[list[KbRecord], SynonymTable]],
                      cache: Path) -> KbIndex:
    """Load the index saved under `key`, or build it from `source()` and save it."""
    folder = cache / key
    if (folder / "meta.json").exists():
        try:
            return KbIndex.load(folder)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(folder, ignore_errors=True)  # stale or damaged: rebuild
    records, synonyms = source()
    index = KbIndex.build(records, synonyms)
    try:
        index.save(cache / index.key)
    except OSError:
        pass  # a read-only place: search works, the next start rebuilds
    return index
