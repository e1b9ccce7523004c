"""The body tokens of the KB index for all bodies at once, in numpy.

A body is indexed by the character bigrams of its CJK runs (a run of one character by that
character), each counted once per body: the same tokens as `index.field_tokens("B", body,
pinyin=False)`, made from the code points of every body joined, so a 100,000-article KB does
not go through ~20 million Python strings. Tokens are returned as (document, token) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The CJK ranges of text_features._CJK: Extension A, the Unified Ideographs, the compatibility
# ideographs.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
CHAR_BITS = 21  # every code point fits
_SINGLE = 1 << (2 * CHAR_BITS)  # marks a one-character run
_TOKEN_BITS = 2 * CHAR_BITS + 1
_CHAR_MASK = (1 << CHAR_BITS) - 1
CHUNK = 8192  # bodies per pass


def body_postings(bodies: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(tokens, documents, token_index): pair k says body documents[k] holds the token
    tokens[token_index[k]], each pair once; pairs sorted by token, then document."""
    if not bodies:
        return [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    document_bits = max(1, (len(bodies) - 1).bit_length())
    if document_bits + _TOKEN_BITS > 63:
        raise ValueError(f"{len(bodies)} bodies: at most {1 << (63 - _TOKEN_BITS)}")
    # by chunks of bodies: the per-character arrays of 100k bodies would take a gigabyte at once
    pairs = np.sort(np.concatenate([_pairs(bodies[first:first + CHUNK], first, document_bits)
                                    for first in range(0, len(bodies), CHUNK)]))
    pair_tokens = pairs >> document_bits
    new_token = run_starts(pair_tokens)
    vocabulary = pair_tokens[new_token]
    token_index = np.cumsum(new_token, dtype=np.int64) - 1
    del pair_tokens, new_token
    tokens = [f"B.{chr(code & _CHAR_MASK)}" if code & _SINGLE else
              f"B~{chr(code >> CHAR_BITS)}{chr(code & _CHAR_MASK)}" for code in vocabulary.tolist()]
    return (tokens, (pairs & ((1 << document_bits) - 1)).astype(np.int32),
            token_index.astype(np.int32))


def cjk_code_points(texts: Sequence[str], first: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, cjk, document_of) of the texts joined by NUL (and one NUL after the last): each
    code point, whether it is CJK, and the document it is in (first, first + 1, …)."""
    codes = np.frombuffer("\x00".join(texts).encode("utf-32-le", "surrogatepass") + b"\0\0\0\0",
                          dtype=np.uint32)
    cjk = np.zeros(len(codes), dtype=bool)
    for low, high in _CJK_RANGES:
        cjk |= (codes >= low) & (codes <= high)
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    document_of = np.repeat(np.arange(first, first + len(texts), dtype=np.int64), lengths + 1)
    return codes, cjk, document_of


def _pairs(bodies: list[str], first: int, document_bits: int) -> np.ndarray:
    """(token code << document_bits | document) of `bodies` (documents first, first + 1, …),
    each once."""
    codes, cjk, document_of = cjk_code_points(bodies, first)
    before = np.concatenate(([False], cjk[:-1]))
    after = np.concatenate((cjk[1:], [False]))
    starts = np.flatnonzero(cjk & after)  # a bigram starts here
    alone = np.flatnonzero(cjk & ~before & ~after)  # a run of one character
    token_codes = np.concatenate((
        (codes[starts].astype(np.int64) << CHAR_BITS) | codes[starts + 1].astype(np.int64),
        codes[alone].astype(np.int64) | _SINGLE))
    documents = np.concatenate((document_of[starts], document_of[alone]))
    return _sorted_unique((token_codes << document_bits) | documents)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2's hash-based unique is ~7x slower on millions of int64)."""
    values = np.sort(values)
    return values[run_starts(values)]


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """True where a sorted array's value differs from the one before it (and at the start)."""
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts
