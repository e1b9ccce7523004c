"""The body tokens of the KB index for all bodies at once, in numpy.

A body is indexed by the character bigrams of its CJK runs (a run of one character by that
character), each counted once per body: the same tokens as `index.field_tokens("B", body,
pinyin=False)`, made from the code points of every body joined, so a 100,000-article KB does
not go through ~20 million Python strings. Tokens are returned as (document, token) pairs.
"""

from __future__ import annotations

import numpy as np

# The CJK ranges of text_features._CJK: Extension A, the Unified Ideographs, the compatibility
# ideographs.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CHAR_BITS = 21  # every code point fits
_SINGLE = 1 << (2 * _CHAR_BITS)  # marks a one-character run
_TOKEN_BITS = 2 * _CHAR_BITS + 1
_CHAR_MASK = (1 << _CHAR_BITS) - 1
CHUNK = 8192  # bodies per pass


def body_postings(bodies: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(tokens, documents, token_index): pair k says body documents[k] holds the token
    tokens[token_index[k]], each pair once; pairs sorted by document."""
    if not bodies:
        return [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    if len(bodies) >= 1 << (63 - _TOKEN_BITS):
        raise ValueError(f"{len(bodies)} bodies: at most {(1 << (63 - _TOKEN_BITS)) - 1}")
    # by chunks of bodies: the per-character arrays of 100k bodies would take a gigabyte at once
    pairs = np.concatenate([_pairs(bodies[first:first + CHUNK], first)
                            for first in range(0, len(bodies), CHUNK)])
    pair_tokens = pairs & ((1 << _TOKEN_BITS) - 1)
    order = np.argsort(pair_tokens, kind="stable")
    ordered = pair_tokens[order]
    new_token = _run_starts(ordered)
    vocabulary = ordered[new_token]
    token_index = np.empty(len(pairs), dtype=np.int64)
    token_index[order] = np.cumsum(new_token) - 1
    tokens = [f"B.{chr(code & _CHAR_MASK)}" if code & _SINGLE else
              f"B~{chr(code >> _CHAR_BITS)}{chr(code & _CHAR_MASK)}" for code in vocabulary.tolist()]
    return (tokens, (pairs >> _TOKEN_BITS).astype(np.int32),
            token_index.astype(np.int32).reshape(-1))


def _pairs(bodies: list[str], first: int) -> np.ndarray:
    """(document << _TOKEN_BITS | token code) of `bodies` (documents first, first + 1, …), each
    once, sorted."""
    codes = np.frombuffer("\x00".join(bodies).encode("utf-32-le", "surrogatepass") + b"\0\0\0\0",
                          dtype=np.uint32)
    cjk = np.zeros(len(codes), dtype=bool)
    for low, high in _CJK_RANGES:
        cjk |= (codes >= low) & (codes <= high)
    lengths = np.fromiter((len(body) for body in bodies), dtype=np.int64, count=len(bodies))
    document_of = np.repeat(np.arange(first, first + len(bodies), dtype=np.int64), lengths + 1)
    before = np.concatenate(([False], cjk[:-1]))
    after = np.concatenate((cjk[1:], [False]))
    starts = np.flatnonzero(cjk & after)  # a bigram starts here
    alone = np.flatnonzero(cjk & ~before & ~after)  # a run of one character
    token_codes = np.concatenate((
        (codes[starts].astype(np.int64) << _CHAR_BITS) | codes[starts + 1].astype(np.int64),
        codes[alone].astype(np.int64) | _SINGLE))
    documents = np.concatenate((document_of[starts], document_of[alone]))
    return _sorted_unique((documents << _TOKEN_BITS) | token_codes)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy 2's hash-based unique is ~7x slower on millions of int64)."""
    values = np.sort(values)
    return values[_run_starts(values)]


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """True where a sorted array's value differs from the one before it (and at the start)."""
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts
