"""The numpy body tokens of the KB index are exactly the per-record Python ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from seat_console.core.kb.body_postings import body_postings
from seat_console.core.kb.index import field_tokens

# CJK of every range the index reads, their neighbours just outside, Latin, digits, emoji,
# separators, a NUL (the join character) and a lone surrogate
ALPHABET = st.sampled_from(list("供暖不热公积金提取㐀䶵豈﫿〇ㄅ가abc019 ，。\n\t\x00😀𠀀") + ["\ud800"])
BODIES = st.lists(st.text(alphabet=ALPHABET, max_size=30), max_size=8)


def python_pairs(bodies: list[str]) -> set[tuple[int, str]]:
    return {(doc, token) for doc, body in enumerate(bodies)
            for token in field_tokens("B", body, pinyin=False)}


def numpy_pairs(bodies: list[str]) -> set[tuple[int, str]]:
    tokens, documents, index = body_postings(bodies)
    pairs = [(int(doc), tokens[i]) for doc, i in zip(documents, index)]
    assert len(pairs) == len(set(pairs))  # each once per body
    assert list(index) == sorted(index)  # by token, then document
    assert [(int(i), int(d)) for i, d in zip(index, documents)] == sorted(zip(index.tolist(),
                                                                               documents.tolist()))
    return set(pairs)


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_the_same_tokens_as_the_python_tokenizer(bodies: list[str]) -> None:
    assert numpy_pairs(bodies) == python_pairs(bodies)


def test_a_real_body() -> None:
    bodies = ["供暖期间室温应不低于18℃。拨打024-5550-1234", "", "热"]
    assert numpy_pairs(bodies) == python_pairs(bodies)
    assert (0, "B~供暖") in numpy_pairs(bodies) and (2, "B.热") in numpy_pairs(bodies)


@settings(max_examples=100, deadline=None)
@given(BODIES)
def test_chunks_of_bodies_give_the_same_tokens(bodies: list[str]) -> None:
    import seat_console.core.kb.body_postings as module

    whole = module.CHUNK
    try:
        module.CHUNK = 3  # several passes over a handful of bodies
        assert numpy_pairs(bodies) == python_pairs(bodies)
    finally:
        module.CHUNK = whole
