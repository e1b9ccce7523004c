"""What the KB index shows of each entry (DocInfo), saved one JSON line per entry and read back
on demand: a search reads the 60 candidates it reranks, not all 100,000 entries at start.

docs.jsonl holds the lines, doc_offsets.npy where each starts; the file is memory-mapped.
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

LINES = "docs.jsonl"
OFFSETS = "doc_offsets.npy"
CACHED = 4096  # entries kept parsed (a query reranks 60)


@dataclass(frozen=True)
class DocInfo:
    id: str
    kind: str
    title: str
    category: str
    department: str
    keywords: str  # keywords, synonyms, services joined (for reranking)
    title_pinyin: list[str]  # one syllable per title character ("" for non-CJK)
    title_initials: str  # one letter per title character (" " for non-CJK)


def initials_of(title_pinyin: list[str]) -> str:
    return "".join(s[0] if s else " " for s in title_pinyin)


def _line(doc: DocInfo) -> bytes:
    """The entry as saved: the pinyin one string (a fifth of a KB's index was the JSON quotes
    of syllables), the initials left out (they are the syllables' first letters)."""
    fields = [doc.id, doc.kind, doc.title, doc.category, doc.department, doc.keywords,
              " ".join(doc.title_pinyin)]
    return json.dumps(fields, ensure_ascii=False).encode("utf-8") + b"\n"


def _read_line(line: bytes) -> DocInfo:
    fields = json.loads(line)
    pinyin = fields[6].split(" ") if fields[2] else []
    return DocInfo(*fields[:6], pinyin, initials_of(pinyin))


def save_docs(docs: Sequence[DocInfo], folder: Path) -> None:
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    with open(folder / LINES, "wb") as out:
        for i, doc in enumerate(docs):
            line = _line(doc)
            out.write(line)
            offsets[i + 1] = offsets[i] + len(line)
    np.save(folder / OFFSETS, offsets)


class StoredDocs(Sequence[DocInfo]):
    """The saved entries of an index folder, parsed when asked for."""

    def __init__(self, folder: Path) -> None:
        self._offsets = np.load(folder / OFFSETS, mmap_mode="r")
        with open(folder / LINES, "rb") as source:
            size = source.seek(0, 2)
            if size != int(self._offsets[-1]):
                raise ValueError(f"{folder / LINES} is {size} bytes, not {int(self._offsets[-1])}")
            self._lines = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self._parsed: dict[int, DocInfo] = {}

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> DocInfo: ...
    @overload
    def __getitem__(self, index: slice) -> list[DocInfo]: ...

    def __getitem__(self, index: int | slice) -> DocInfo | list[DocInfo]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        doc = self._parsed.get(index)
        if doc is None:
            start, end = int(self._offsets[index]), int(self._offsets[index + 1])
            doc = _read_line(self._lines[start:end])
            if len(self._parsed) >= CACHED:
                self._parsed.clear()
            self._parsed[index] = doc
        return doc

    def __iter__(self) -> Iterator[DocInfo]:
        for index in range(len(self)):
            yield self[index]
