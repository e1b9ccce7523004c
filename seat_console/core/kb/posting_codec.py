"""Postings on disk: each token's documents (ascending) as the gaps between them in variable
bytes (seven bits a byte, the high bit set on every byte but a value's last), encoded and
decoded in numpy.

Three of four gaps fit in one byte, so a 100,000-article index's 31 million postings take
38 MB instead of 125 MB as int32 - the disk and the pages a query reads.
"""

from __future__ import annotations

import numpy as np

_BITS = 7
_MORE = 0x80
_LOW = 0x7F
LONGEST = 5  # bytes of the largest gap (a document number below 2**35)
SPAN = 2_000_000  # postings encoded at a time


def encode(documents: np.ndarray, counts: np.ndarray, span: int = SPAN
           ) -> tuple[np.ndarray, np.ndarray]:
    """(blob, offsets): the documents of token t are counts[t] values of `documents` (grouped by
    token, ascending within each token); they are blob[offsets[t]:offsets[t + 1]]. Tokens are
    encoded about `span` postings at a time."""
    boundaries = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=boundaries[1:])
    # a 100k index's 31M postings at once would need gigabytes of temporary arrays
    cuts = np.unique(np.concatenate((
        [0], np.searchsorted(boundaries, np.arange(span, boundaries[-1], span)), [len(counts)])))
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    pieces = []
    written = 0
    for first, last in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        piece, local = _encode_span(documents[boundaries[first]:boundaries[last]],
                                    counts[first:last])
        offsets[first + 1:last + 1] = local[1:] + written
        written += len(piece)
        pieces.append(piece)
    blob = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.uint8)
    return blob, offsets


def _encode_span(documents: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """encode() of a few tokens; offsets from 0."""
    gaps = documents.astype(np.int64)
    gaps[1:] -= documents[:-1]
    starts = np.cumsum(counts, dtype=np.int64) - counts  # each token's first value is its own
    starts = starts[counts > 0]
    gaps[starts] = documents[starts]
    if len(gaps) and gaps.min() < 0:
        raise ValueError("documents must ascend within each token")
    longer = np.flatnonzero(gaps >= _MORE)  # a quarter of them: the rest take one byte
    long_gaps = gaps[longer]
    sizes = np.ones(len(gaps), dtype=np.int64)
    for width in range(1, LONGEST):
        sizes[longer] += long_gaps >= (1 << (_BITS * width))
    ends = np.cumsum(sizes)
    first_byte = ends - sizes
    blob = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    blob[first_byte] = (gaps & _LOW) | np.where(sizes > 1, _MORE, 0)
    long_sizes, long_first = sizes[longer], first_byte[longer]
    for k in range(1, LONGEST):
        more = np.flatnonzero(long_sizes > k)
        if not len(more):
            break
        part = (long_gaps[more] >> (_BITS * k)) & _LOW
        blob[long_first[more] + k] = part | np.where(long_sizes[more] > k + 1, _MORE, 0)
    value_first_byte = np.concatenate(([0], ends))
    boundaries = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    return blob, value_first_byte[boundaries]


def decode(blob: np.ndarray) -> np.ndarray:
    """The documents one token's bytes stand for, as int32."""
    data = np.asarray(blob)
    last = data < _MORE  # a value's last byte
    ends = np.flatnonzero(last)
    if len(ends) == len(data):  # every gap in one byte: the common case for frequent tokens
        return np.cumsum(data, dtype=np.int64).astype(np.int32)
    starts = np.empty(len(ends), dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    sizes = ends - starts + 1
    low = (data & _LOW).astype(np.int64)
    gaps = low[starts]
    for k in range(1, int(sizes.max())):
        longer = sizes > k
        gaps[longer] |= low[starts[longer] + k] << (_BITS * k)
    return np.cumsum(gaps).astype(np.int32)
