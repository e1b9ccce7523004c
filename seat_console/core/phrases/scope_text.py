"""How the scope rules read a text: normalised as for the forbidden phrases (NFKC, Traditional ->
Simplified, spaces and punctuation skipped), except that clause breaks read as CLAUSE ("，") and
sentence breaks as SENTENCE ("。"), so `[^，。]` keeps a pattern inside its clause."""
from __future__ import annotations

import re
from collections.abc import Iterable

from seat_console.core.phrases.normalizer import DROP, Normalizer

CLAUSE = "，"  # clause breaks read as this in the normalised text
SENTENCE = "。"  # and sentence breaks as this
# Stand for clause and sentence breaks while the text is folded: letters (so the normaliser keeps
# them) that no caller types (Yi syllables); they become CLAUSE and SENTENCE afterwards.
_CLAUSE_MARK, _SENTENCE_MARK = "\ua000", "\ua001"
_FOLDS = {"著": "着"}  # 著 is 着 in Traditional text (著火了); OpenCC keeps it


def clause_bounds(compact: str, start: int, end: int) -> tuple[int, int]:
    """[left, right) of the clause around compact[start:end]."""
    left = max(compact.rfind(CLAUSE, 0, start), compact.rfind(SENTENCE, 0, start)) + 1
    ends = [i for i in (compact.find(CLAUSE, end), compact.find(SENTENCE, end)) if i >= 0]
    return left, min(ends) if ends else len(compact)


def char_class(chars: str) -> str:
    """A regular expression matching any of `chars` (none when empty)."""
    return "[" + "".join(re.escape(ch) for ch in chars) + "]" if chars else "(?!)"


class ScopeText:
    """Folds a text for the rules; `alphabet` is every character the rules and places use."""

    def __init__(self, alphabet: Iterable[str], clause_breaks: str, sentence_breaks: str) -> None:
        self.normalizer = Normalizer(set(alphabet) | set(CLAUSE + SENTENCE), _FOLDS)
        # regular expressions, not str.translate: a dict table costs ~30 µs per 500 characters
        self._clause_breaks = re.compile(char_class(clause_breaks))
        self._sentence_breaks = re.compile(char_class(sentence_breaks))

    def compact(self, text: str) -> str:
        """`text` as the rules see it, without clause marks (for names: places, words)."""
        return self.normalizer.compact(text)

    def normalise(self, text: str) -> tuple[str, str]:
        """(folded: same length as `text`, DROP for what is skipped; compact: what rules see)."""
        marked = self._sentence_breaks.sub(_SENTENCE_MARK, self._clause_breaks.sub(_CLAUSE_MARK, text))
        folded = self.normalizer.fold(marked)
        folded = folded.replace(_CLAUSE_MARK, CLAUSE).replace(_SENTENCE_MARK, SENTENCE)
        return folded, folded.replace(DROP, "")
