"""The numpy title and keyword tokens of the KB index are exactly the per-record Python ones,
with the same counts."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from seat_console.core.kb.head_postings import head_postings
from seat_console.core.kb.index import field_tokens, run_syllables

# CJK of every range the index reads (with words pypinyin reads as one: 银行, 重庆), their
# neighbours just outside, Latin in both cases, digits, separators, a NUL, emoji, a rare
# ideograph pypinyin has no reading for
ALPHABET = st.sampled_from(list("银行重庆公积金提取供暖不热㐀䶵豈﫿〇ㄅ가aBc019 ，。\t\x00😀𠀀")
                           + ["银行", "重庆", "hpv"])
TEXTS = st.lists(st.lists(ALPHABET, max_size=12).map("".join), max_size=6)


def python_counts(fields: list[tuple[str, list[str]]]) -> Counter[tuple[int, str]]:
    counts: Counter[tuple[int, str]] = Counter()
    for field, texts in fields:
        for doc, text in enumerate(texts):
            counts.update((doc, token) for token in field_tokens(field, text, pinyin=True))
    return counts


def numpy_counts(fields: list[tuple[str, list[str]]]) -> Counter[tuple[int, str]]:
    tokens, documents, index, tf = head_postings(fields, run_syllables)
    pairs = [(int(doc), tokens[i]) for doc, i in zip(documents, index)]
    assert len(pairs) == len(set(pairs))  # one pair per entry and token, with its count
    assert len(tokens) == len(set(tokens))
    by_token: dict[str, list[int]] = {}
    for doc, token in pairs:
        by_token.setdefault(token, []).append(doc)
    assert all(docs == sorted(docs) for docs in by_token.values())  # ascending per token
    return Counter({pair: int(count) for pair, count in zip(pairs, tf)})


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_the_same_tokens_and_counts_as_the_python_tokenizer(titles: list[str],
                                                            keywords: list[str]) -> None:
    fields = [("T", titles), ("K", keywords)]
    assert numpy_counts(fields) == python_counts(fields)


def test_a_real_title_and_its_keywords() -> None:
    fields = [("T", ["社保卡补办", "C1驾照 到期换证", ""]), ("K", ["社保卡 社保卡丢了", "", "hpv HPV"])]
    counts = numpy_counts(fields)
    assert counts == python_counts(fields)
    assert counts[(0, "K~社保")] == 2 and counts[(0, "TP~she bao")] == 1
    assert counts[(0, "TI~sbk")] == 1 and counts[(1, "T#c1")] == 1 and counts[(2, "K#hpv")] == 2
