"""The title and keyword tokens of the KB index for all entries at once, in numpy.

The same tokens, with the same counts, as `index.head_tokens(record)` of each entry (the
readable definition, kept for the tests): characters and bigrams of the CJK runs, pinyin
syllables and syllable pairs, initials pairs and triples, ASCII words. Python only reads each
distinct CJK run's syllables once and finds the ASCII words; characters, pairs and counts are
made from arrays, so a 100,000-entry KB does not go through 25 million strings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from seat_console.core.kb.body_postings import CHAR_BITS, cjk_code_points, run_starts
from seat_console.core.kb.text_features import CJK_RUN, ascii_words

# tokens of one kind: (names, documents, token index, tf), sorted by token, then document
Group = tuple[list[str], np.ndarray, np.ndarray, np.ndarray]


def head_postings(fields: Sequence[tuple[str, Sequence[str]]],
                  run_syllables: Callable[[str], Sequence[str]]
                  ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(tokens, documents, token_index, tf) of the fields ((name, text of each entry), e.g.
    ("T", titles)): entry documents[k] holds tokens[token_index[k]] tf[k] times; sorted by
    token, then document."""
    vocabulary: list[str] = []
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for field, texts in fields:
        for names, documents, index, tf in (*_character_tokens(field, texts),
                                            *_pinyin_tokens(field, texts, run_syllables),
                                            _ascii_tokens(field, texts)):
            parts.append((documents, index + len(vocabulary), tf))
            vocabulary.extend(names)
    if not parts:
        empty = np.zeros(0, dtype=np.int32)
        return [], empty, empty, np.zeros(0, dtype=np.float32)
    return (vocabulary, np.concatenate([p[0] for p in parts]).astype(np.int32),
            np.concatenate([p[1] for p in parts]).astype(np.int32),
            np.concatenate([p[2] for p in parts]).astype(np.float32))


def _grouped(documents: np.ndarray, codes: np.ndarray, code_bits: int, entries: int,
             name: Callable[[int], str]) -> Group:
    """The distinct (code, document) pairs, sorted, with how often each occurs; the codes
    numbered 0.. in order and named by `name`."""
    document_bits = max(1, (entries - 1).bit_length())
    if code_bits + document_bits > 63:
        raise ValueError(f"{entries} entries: too many for one index")
    keys = np.sort((codes.astype(np.int64) << document_bits) | documents.astype(np.int64))
    first = np.flatnonzero(run_starts(keys))
    tf = np.diff(np.append(first, len(keys)))
    distinct = keys[first]
    del keys
    pair_codes = distinct >> document_bits
    new_code = run_starts(pair_codes)
    names = [name(code) for code in pair_codes[new_code].tolist()]
    return (names, distinct & ((1 << document_bits) - 1), np.cumsum(new_code) - 1, tf)


def _character_tokens(field: str, texts: Sequence[str]) -> Iterator[Group]:
    """F.c for every CJK character, F~cd for every two neighbouring ones."""
    codes, cjk, document_of = cjk_code_points(texts, 0)
    mask = (1 << CHAR_BITS) - 1
    chars = np.flatnonzero(cjk)
    yield _grouped(document_of[chars], codes[chars], CHAR_BITS, len(texts),
                   lambda code: f"{field}.{chr(code)}")
    starts = np.flatnonzero(cjk[:-1] & cjk[1:])
    pairs = (codes[starts].astype(np.int64) << CHAR_BITS) | codes[starts + 1]
    yield _grouped(document_of[starts], pairs, 2 * CHAR_BITS, len(texts),
                   lambda code: f"{field}~{chr(code >> CHAR_BITS)}{chr(code & mask)}")


class _Spoken:
    """The distinct CJK runs of some texts, each with its syllables and initials numbered."""

    def __init__(self, run_syllables: Callable[[str], Sequence[str]]) -> None:
        self.run_syllables = run_syllables
        self.runs: dict[str, int] = {}
        self.syllables: dict[str, int] = {}
        self.initials: dict[str, int] = {}
        # per distinct run: its syllable numbers and its initial numbers
        self.spoken: list[list[int]] = []
        self.letters: list[list[int]] = []

    def number(self, run: str) -> int:
        found = self.runs.get(run)
        if found is None:
            found = self.runs[run] = len(self.runs)
            spoken = self.run_syllables(run)
            self.spoken.append([self.syllables.setdefault(s, len(self.syllables)) for s in spoken])
            self.letters.append([self.initials.setdefault(s[0], len(self.initials))
                                 for s in spoken if s])
        return found


def _pinyin_tokens(field: str, texts: Sequence[str],
                   run_syllables: Callable[[str], Sequence[str]]) -> Iterator[Group]:
    """FP.s for every syllable, FP~s t for neighbouring ones, FI~ab and FI~abc for the initials
    of two and three neighbouring syllables, all within one CJK run."""
    spoken = _Spoken(run_syllables)
    number = spoken.number
    runs_per_text = [[number(run) for run in CJK_RUN.findall(text)] for text in texts]
    run_ids = np.fromiter((run for runs in runs_per_text for run in runs), dtype=np.int64)
    run_documents = np.repeat(np.arange(len(texts), dtype=np.int64),
                              [len(runs) for runs in runs_per_text])
    for per_run, names, sizes, kind, glue in (
            (spoken.spoken, list(spoken.syllables), (1, 2), "P", " "),
            (spoken.letters, list(spoken.initials), (2, 3), "I", "")):
        values, run_of = _laid_out(per_run, run_ids)
        for size in sizes:
            prefix = f"{field}{kind}{'.' if size == 1 else '~'}"
            yield _grams(prefix, glue, values, run_of, names, run_documents, size, len(texts))


def _laid_out(per_run: list[list[int]], run_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, run_of): the numbers of every run in `run_ids` one after another, and the
    position in `run_ids` of the run each comes from."""
    lengths = np.fromiter((len(numbers) for numbers in per_run), dtype=np.int64,
                          count=len(per_run))
    flat = np.fromiter((n for numbers in per_run for n in numbers), dtype=np.int64,
                       count=int(lengths.sum()))
    starts = np.cumsum(lengths) - lengths
    taken = lengths[run_ids]
    run_of = np.repeat(np.arange(len(run_ids), dtype=np.int64), taken)
    within = np.arange(len(run_of), dtype=np.int64) - np.repeat(np.cumsum(taken) - taken, taken)
    return flat[starts[run_ids][run_of] + within], run_of


def _grams(prefix: str, glue: str, values: np.ndarray, run_of: np.ndarray, names: list[str],
           run_documents: np.ndarray, size: int, entries: int) -> Group:
    """The `size`-grams of `values` (numbers of `names`) that lie within one run, counted per
    entry, named prefix + names joined by glue."""
    bits = max(1, (len(names) - 1).bit_length())
    count = max(0, len(values) - size + 1)
    starts = np.flatnonzero(run_of[:count] == run_of[size - 1:size - 1 + count])
    codes = np.zeros(len(starts), dtype=np.int64)
    for k in range(size):
        codes = (codes << bits) | values[starts + k]
    low = (1 << bits) - 1
    return _grouped(run_documents[run_of[starts]], codes, size * bits, entries,
                    lambda code: prefix + glue.join(names[(code >> (bits * (size - 1 - k))) & low]
                                                    for k in range(size)))


def _ascii_tokens(field: str, texts: Sequence[str]) -> Group:
    """F#word for every ASCII word (lower case), counted per entry."""
    found = sorted((f"{field}#{word}", document, count) for document, text in enumerate(texts)
                   for word, count in Counter(ascii_words(text)).items())
    names = sorted({name for name, _, _ in found})
    number = {name: i for i, name in enumerate(names)}
    return (names, np.array([d for _, d, _ in found], dtype=np.int64),
            np.array([number[n] for n, _, _ in found], dtype=np.int64),
            np.array([c for _, _, c in found], dtype=np.int64))
