"""Postings in variable bytes decode to exactly the documents encoded, and the index built
with them scores as BM25 says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seat_console.core.kb.index import K1, KbIndex
from seat_console.core.kb.loader import KbRecord
from seat_console.core.kb.posting_codec import decode, encode
from seat_console.core.kb.synonyms import EMPTY

# documents of up to 2**31 - 1: gaps of one to five bytes
TOKEN_DOCUMENTS = st.lists(st.sets(st.integers(0, 2**31 - 1), max_size=40), max_size=12)


def roundtrip(per_token: list[list[int]], span: int = 1_000_000) -> list[list[int]]:
    counts = np.array([len(d) for d in per_token], dtype=np.int64)
    documents = np.array([doc for docs in per_token for doc in docs], dtype=np.int64)
    blob, offsets = encode(documents, counts, span)
    assert len(offsets) == len(per_token) + 1 and offsets[-1] == len(blob)
    return [decode(blob[offsets[t]:offsets[t + 1]]).tolist() for t in range(len(per_token))]


@settings(max_examples=300, deadline=None)
@given(TOKEN_DOCUMENTS, st.integers(1, 50))
def test_every_token_decodes_to_its_documents(token_documents: list[set[int]], span: int) -> None:
    """Also when the tokens are encoded a few postings at a time (span), as a big index is."""
    per_token = [sorted(docs) for docs in token_documents]
    assert roundtrip(per_token, span) == per_token


def test_dense_and_sparse_tokens_and_gaps_at_the_byte_limits() -> None:
    per_token = [list(range(100_000)), [], [0], [127, 128, 16_511, 16_512, 2_113_663],
                 [2**31 - 1], [5, 2**28, 2**28 + 1]]
    assert roundtrip(per_token) == per_token
    counts = np.array([len(d) for d in per_token])
    blob, _ = encode(np.array([d for docs in per_token for d in docs]), counts)
    assert len(blob) < 100_000 + 40  # a gap of one is one byte


def test_documents_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="ascend"):
        encode(np.array([3, 1]), np.array([2]))


def test_body_weights_are_bm25_of_the_body_length() -> None:
    records = [KbRecord(id=f"a{i}", kind="article", title=f"标题{i}", body="供暖" + "，费用" * i,
                        keywords=[], synonyms=[], category="", department="", updated=None,
                        extra={}, source="test") for i in range(4)]
    index = KbIndex.build(records, EMPTY)
    documents, weights = index.posting("B~供暖")
    assert documents.tolist() == [0, 1, 2, 3]
    idf = np.log1p((4 - 4 + 0.5) / (4 + 0.5))
    lengths = np.array([1, 2, 2, 2], dtype=np.float64)  # 供暖, then 费用 counted once per body
    expected = idf * (K1 + 1) / (1 + K1 * (0.5 + 0.5 * lengths / lengths.mean()))
    assert np.allclose(weights, expected, rtol=1e-5)
