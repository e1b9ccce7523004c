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
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from seat_console.core.kb.body_postings import body_postings
from seat_console.core.kb.head_postings import head_postings
from seat_console.core.kb.loader import KbRecord
from seat_console.core.kb.place_titles import PlaceTitles, mine_places
from seat_console.core.kb.posting_codec import decode, encode
from seat_console.core.kb.stored_docs import DocInfo, StoredDocs, initials_of, save_docs
from seat_console.core.kb.synonyms import SynonymTable
from seat_console.core.kb.text_features import ascii_words, cjk_runs, initials, syllables

ENGINE_VERSION = "kb-index-6"  # 2: .npy arrays, memory-mapped; 3: entries read on demand;
# 4: weights in one byte each, scaled per token; 5: postings as gaps in variable bytes, body
# weights from the body's length, columns as codes; 6: the places mined from the titles
COLUMNS = ("id", "kind", "category", "department")
ARRAYS = ("counts", "offsets", "postings", "weights", "scales", "body_norms")
LEVELS = 255  # a title/keyword posting's weight is one byte: its share of the token's largest
DECODED = 4_000_000  # postings kept decoded (typing extends a query: its tokens come again)
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
    """The tokens of one field: the definition that head_postings.py and body_postings.py make
    for all entries at once in numpy (their tests hold them to it)."""
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
    """The tokens of the title and the keywords/synonyms/services, as head_postings.py makes
    them for all entries; the body's are field_tokens("B", …), each once (body_postings.py)."""
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
    """Postings (token -> documents with BM25 weights) plus what hits need to show.

    Token t's documents are postings[offsets[t]:offsets[t + 1]] (gaps in variable bytes,
    posting_codec.py), counts[t] of them. Title and keyword tokens (t < first_body) keep a
    weight per posting, one byte times scales[t]; a body token is in a body at most once, so its
    weight is scales[t] (its idf) times the body's length norm, body_norms[document]."""

    def __init__(self, docs: Sequence[DocInfo], vocab: dict[str, int], arrays: dict[str, np.ndarray],
                 first_body: int, key: str, columns: Path | None = None,
                 places: PlaceTitles | None = None) -> None:
        self.docs = docs
        self.places = places or PlaceTitles({})  # near-duplicates per district (place_titles.py)
        self.vocab = vocab
        self.counts = arrays["counts"]
        self.offsets = arrays["offsets"]
        self.postings = arrays["postings"]
        self.weights = arrays["weights"]
        self.scales = arrays["scales"]
        self.body_norms = arrays["body_norms"]
        self.first_body = first_body
        self.key = key
        self._columns_file = columns
        self._decoded: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._decoded_size = 0

    @cached_property
    def _columns(self) -> dict[str, np.ndarray]:
        """id, kind, category, department of every entry, for filters (read on first use)."""
        if self._columns_file is None:
            return {name: np.array([getattr(d, name) for d in self.docs], dtype=object)
                    for name in COLUMNS}
        saved = json.loads(self._columns_file.read_text(encoding="utf-8"))
        return {"id": np.array(saved["id"], dtype=object),
                **{name: np.array(saved[name]["names"], dtype=object)[
                    np.array(saved[name]["codes"], dtype=np.int64)] for name in COLUMNS[1:]}}

    @property
    def categories(self) -> np.ndarray:
        return self._columns["category"]

    @property
    def departments(self) -> np.ndarray:
        return self._columns["department"]

    @property
    def kinds(self) -> np.ndarray:
        return self._columns["kind"]

    @cached_property
    def position(self) -> dict[str, int]:
        return {doc_id: i for i, doc_id in enumerate(self._columns["id"].tolist())}

    @cached_property
    def _weight_starts(self) -> np.ndarray:
        starts = np.zeros(self.first_body + 1, dtype=np.int64)
        np.cumsum(self.counts[:self.first_body], out=starts[1:])
        return starts

    def __len__(self) -> int:
        return len(self.docs)

    def posting(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        token_id = self.vocab.get(token)
        if token_id is None:
            return None
        found = self._decoded.get(token_id)
        if found is not None:
            self._decoded.move_to_end(token_id)
            return found
        documents = decode(self.postings[self.offsets[token_id]:self.offsets[token_id + 1]])
        if token_id < self.first_body:
            start, end = self._weight_starts[token_id], self._weight_starts[token_id + 1]
            weights = self.weights[start:end] * self.scales[token_id]
        else:
            weights = self.body_norms[documents] * self.scales[token_id]
        self._decoded[token_id] = found = (documents, weights)
        self._decoded_size += len(documents)
        while self._decoded_size > DECODED and len(self._decoded) > 1:
            self._decoded_size -= len(self._decoded.popitem(last=False)[1][0])
        return found

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(cls, records: list[KbRecord], synonyms: SynonymTable) -> KbIndex:
        namespace_ids = {ns: i for i, ns in enumerate(NAMESPACES)}
        keyword_texts = [_keyword_text(record) for record in records]
        head_vocabulary, doc_ids, token_ids, head_tf = head_postings(
            (("T", [record.title for record in records]), ("K", keyword_texts)), run_syllables)
        vocab = dict(zip(head_vocabulary, range(len(head_vocabulary))))
        docs = []
        for record, keywords in zip(records, keyword_texts):
            title_pinyin = _title_pinyin(record.title)
            docs.append(DocInfo(record.id, record.kind, record.title, record.category,
                                record.department, keywords, title_pinyin,
                                initials_of(title_pinyin)))
        token_namespace = [namespace_ids[namespace_of(token)] for token in vocab]
        body_vocabulary, body_documents, body_tokens = body_postings([r.body for r in records])
        body = namespace_ids["B"]
        first_body = len(vocab)
        vocab.update(zip(body_vocabulary, range(first_body, first_body + len(body_vocabulary))))
        token_namespace.extend([body] * len(body_vocabulary))
        namespaces = np.array(token_namespace, dtype=np.int32)
        entries = len(records)
        # each entry's length per namespace: the sum of its tf there (a body token counts once)
        lengths = np.bincount(doc_ids.astype(np.int64) * len(NAMESPACES) + namespaces[token_ids],
                              weights=head_tf, minlength=entries * len(NAMESPACES)).reshape(
            entries, len(NAMESPACES))
        lengths[:, body] = np.bincount(body_documents, minlength=entries)
        document_frequency = np.concatenate((np.bincount(token_ids, minlength=first_body),
                                             np.bincount(body_tokens, minlength=len(body_vocabulary))))
        idf = np.log1p((max(1, entries) - document_frequency + 0.5) /
                       (document_frequency + 0.5)).astype(np.float32)
        average = np.maximum(lengths.mean(axis=0) if entries else
                             np.zeros(len(NAMESPACES)), 1e-6)
        norms = ((K1 + 1) / (1 + K1 * (1 - B + B * lengths / average))).astype(np.float32)
        head_norm = norms[doc_ids, namespaces[token_ids]]
        head_weight = idf[token_ids] * head_tf * (K1 + 1) / (head_tf + (K1 + 1) / head_norm - 1)
        del head_norm
        head_offsets = np.zeros(first_body + 1, dtype=np.int64)
        np.cumsum(document_frequency[:first_body], out=head_offsets[1:])
        levels, head_scales = quantize(head_weight, head_offsets)
        del head_weight
        # head_postings and body_postings give their pairs sorted by token, then entry
        blob, offsets = encode(np.concatenate((doc_ids, body_documents)), document_frequency)
        arrays = {"counts": document_frequency.astype(np.int32), "offsets": offsets,
                  "postings": blob, "weights": levels,
                  "scales": np.concatenate((head_scales, idf[first_body:])),
                  "body_norms": norms[:, body].astype(np.float32)}
        return cls(docs, vocab, arrays, first_body, fingerprint(records, synonyms),
                   places=PlaceTitles(mine_places(record.title for record in records)))

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
        (temporary / "columns.json").write_text(json.dumps(self._saved_columns(),
                                                           ensure_ascii=False), encoding="utf-8")
        (temporary / "meta.json").write_text(json.dumps(
            {"engine": ENGINE_VERSION, "key": self.key, "documents": len(self.docs),
             "first_body": self.first_body, "places": self.places.names},
            ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(temporary, folder)
        except OSError:  # another process saved the same index first
            shutil.rmtree(temporary, ignore_errors=True)

    def _saved_columns(self) -> dict[str, object]:
        """The ids as a list, the other columns as their distinct values and a code per entry."""
        saved: dict[str, object] = {"id": self._columns["id"].tolist()}
        for name in COLUMNS[1:]:
            names, codes = np.unique(self._columns[name].astype(str), return_inverse=True)
            saved[name] = {"names": names.tolist(), "codes": codes.reshape(-1).tolist()}
        return saved

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
        first_body = int(meta["first_body"])
        counts, offsets = arrays["counts"], arrays["offsets"]
        if not (len(counts) == len(vocabulary) == len(arrays["scales"])
                and len(offsets) == len(vocabulary) + 1 and offsets[-1] == len(arrays["postings"])
                and 0 <= first_body <= len(vocabulary)
                and int(counts[:first_body].sum()) == len(arrays["weights"])
                and len(docs) == meta.get("documents") == len(arrays["body_norms"])):
            raise ValueError(f"index in {folder} is inconsistent")
        places = meta.get("places")
        if not (isinstance(places, dict) and all(isinstance(name, str) and isinstance(place, str)
                                                 for name, place in places.items())):
            raise ValueError(f"index in {folder} has no places")
        return cls(docs, {token: i for i, token in enumerate(vocabulary)}, arrays, first_body,
                   meta["key"], folder / "columns.json", PlaceTitles(places))


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
