"""Our word-by-word pinyin reads exactly as pypinyin's lazy_pinyin on the whole run."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from seat_console.core.kb.text_features import syllables

# words pypinyin reads by its phrase dictionary (重庆 chong, 银行 hang, 长春 chang), characters
# read differently alone, and ideographs it has no reading for
PIECES = st.sampled_from(["重庆", "银行", "长春", "行", "重", "长", "公积金", "提取", "了", "朝阳",
                          "会计", "㐀", "䶵", "豈", "乐", "音乐", "快乐", "还", "还款", "的"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=10).map("".join))
def test_the_same_syllables_as_lazy_pinyin(run: str) -> None:
    assert syllables(run) == lazy_pinyin(run, v_to_u=False)


def test_words_are_read_as_words() -> None:
    assert syllables("重庆银行") == ["chong", "qing", "yin", "hang"]
    assert syllables("行长") == lazy_pinyin("行长", v_to_u=False)
