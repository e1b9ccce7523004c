"""The forbidden-phrase checker (服务禁语): scripts_phrases/forbidden.yaml -> hits with
suggestions, offsets in the original text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_console.core.phrases.context_rules import ContextJudge, ContextSettings, load_context
from seat_console.core.phrases.data_file import items, mapping, open_document, text, texts
from seat_console.core.phrases.matcher import PhraseMatcher

FORBIDDEN_FILE = "forbidden.yaml"
OWN_QUOTE_REACH = 60  # characters before a quotation that `own_quote` reads
# Question particles written for 么 (我说话你听不懂吗 / 嗎 / 嘛 / 麼), and 著, which OpenCC keeps
# (著急 is valid in both scripts) but which means 着 in Traditional text (著急也沒有用).
PARTICLE_FOLDS = {"吗": "么", "嗎": "么", "嘛": "么", "麼": "么", "麽": "么", "著": "着"}


@dataclass(frozen=True)
class ForbiddenPhrase:
    phrase: str
    suggestion: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    phrase: str
    start: int
    end: int
    matched: str
    suggestion: str

    def as_json(self) -> dict[str, object]:
        return {"phrase": self.phrase, "start": self.start, "end": self.end,
                "matched": self.matched, "suggestion": self.suggestion}


@dataclass(frozen=True)
class ForbiddenRules:
    phrases: list[ForbiddenPhrase]
    allow: list[str]
    context: ContextSettings
    typed_in_pinyin: bool = False  # a character or two of a phrase typed as pinyin count too


def pinyin_forms(written: str) -> list[str]:
    """`written` with one character, or two neighbouring ones, or a repeated one wherever it comes,
    typed as toneless pinyin (不zhi道, 解决buliao, zhe就是规定, 爱找shei找shei), as someone
    half-typing through a pinyin IME writes it. One character typed alone may be in any of its
    readings (谁 shui or shei: an IME accepts both)."""
    from seat_console.core.kb.text_features import syllables

    spoken = syllables(written)
    if len(spoken) != len(written):  # a character pypinyin cannot read
        return []
    readings = [_readings(char, syllable) for char, syllable in zip(written, spoken, strict=True)]
    forms = [written[:i] + reading + written[i + 1:]
             for i in range(len(written)) for reading in readings[i]]
    # two neighbours in the phrase's own reading only: 不行 typed whole is buxing, never fuxing
    forms += [written[:i] + spoken[i] + spoken[i + 1] + written[i + 2:]
              for i in range(len(written) - 1)]
    # a repeated character typed as pinyin each time it comes (爱找shei找shei)
    for repeated in dict.fromkeys(c for c in written if written.count(c) > 1):
        for reading in readings[written.index(repeated)]:
            forms.append(written.replace(repeated, reading))
    return list(dict.fromkeys(forms))


def _readings(char: str, in_context: str) -> list[str]:
    """The reading `char` has in the phrase first, then its other toneless readings."""
    from pypinyin import Style, pinyin

    others = pinyin(char, style=Style.NORMAL, heteronym=True, v_to_u=False)[0]
    return list(dict.fromkeys([in_context, *others]))


def load_forbidden(folder: Path) -> ForbiddenRules:
    document = open_document(folder, FORBIDDEN_FILE)
    data = mapping(document, (), document.data, "'phrases' and 'allow'")
    phrases, seen = [], set()
    for index, item in enumerate(items(document, ("phrases",), data.get("phrases"), "phrases")):
        loc = ("phrases", index)
        item = mapping(document, loc, item, "a phrase with 'phrase' and 'suggestion'")
        phrase = ForbiddenPhrase(text(document, loc, item, "phrase"),
                                 text(document, loc, item, "suggestion"),
                                 tuple(texts(document, loc, item, "variants")))
        for written in (phrase.phrase, *phrase.variants):
            if written in seen:
                raise document.error(loc, f"{written!r} is listed twice")
            seen.add(written)
        phrases.append(phrase)
    allow = data.get("allow") or []
    if not isinstance(allow, list) or not all(isinstance(a, str) and a.strip() for a in allow):
        raise document.error(("allow",), "'allow' must be a list of look-alike words")
    context = load_context(document, data, {p.phrase for p in phrases})
    typed = data.get("typed_in_pinyin", False)
    if not isinstance(typed, bool):
        raise document.error(("typed_in_pinyin",), "'typed_in_pinyin' is true or false")
    return ForbiddenRules(phrases, list(allow), context, typed)


class ForbiddenChecker:
    """Checks any text (ticket fields, transcripts) for the forbidden phrases."""

    def __init__(self, rules: ForbiddenRules) -> None:
        self.rules = rules
        patterns = {written: phrase for phrase in rules.phrases
                    for written in (phrase.phrase, *phrase.variants)}
        if rules.typed_in_pinyin:
            for written, phrase in list(patterns.items()):
                for form in pinyin_forms(written):
                    patterns.setdefault(form, phrase)
        own = rules.context.own_quote
        self._matcher: PhraseMatcher[ForbiddenPhrase] = PhraseMatcher(
            patterns, rules.allow, folds=PARTICLE_FOLDS, ignore_quoted=True,
            keep_quote=(lambda text, start: own.search(text, max(0, start - OWN_QUOTE_REACH),
                                                       start) is not None) if own else None,
            context_alphabet=rules.context.characters())
        self._context = ContextJudge(rules.context)

    @classmethod
    def from_folder(cls, folder: Path) -> ForbiddenChecker:
        return cls(load_forbidden(folder))

    def check(self, text: str) -> list[Hit]:
        excused = self._context.excused_by
        return [Hit(m.key.phrase, m.start, m.end, m.matched, m.key.suggestion)
                for m in self._matcher.find(text)
                if excused(m.key.phrase, m) is None]
