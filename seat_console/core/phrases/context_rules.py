"""Context rules of the forbidden-phrase checker (scripts_phrases/forbidden.yaml `context`): a
hit is not an offence when the words around it, inside its own clause, give the phrase another
sense (邻居不知道…, 物业说不行, 这就是规定的受理条件, 户口本、身份证等，一会儿…).

A rule names the phrases it applies to and up to three regular expressions, all of which must
match for the rule to excuse a hit:
- `before`: searched in the clause text before the hit (at most `context_chars` characters,
  normalised like the phrases: Traditional -> Simplified, no spaces or punctuation; a clause
  break is one of `clause_breaks` in the original text);
- `after`: searched in the clause text after the hit, normalised the same way;
- `matched`: searched in the hit as written (separators kept: `^等[，,]` is a clause break right
  after 等);
- `sentence`: searched in the text from the start of the hit's sentence (after the last of
  `sentence_breaks`, at most `sentence_chars` characters) to the hit, normalised;
- `speaker`: searched in the label of the transcript turn the hit is in (the last match of
  `speaker_label` within `turn_chars` before the hit, its group `label` as written: 来电人 in
  `来电人：我着急也没有用啊`, or its group `bare_label` when that one matched: a label written
  bare, as ASR exports do); a hit in no labelled turn has no speaker and the rule does not apply.
`{name}` in a pattern stands for the word list `name` of `word_lists` (longest words first).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from seat_console.core.phrases.data_file import mapping, mappings, text, texts, unique, whole_number
from seat_console.core.phrases.matcher import Match
from seat_console.core.yaml_source import YamlDocument

_LIST_NAME = re.compile(r"\{([a-z_]+)\}")
PATTERN_KEYS = ("before", "after", "matched", "sentence", "speaker")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class ContextRule:
    id: str
    why: str
    phrases: frozenset[str]
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    matched: re.Pattern[str] | None
    sentence: re.Pattern[str] | None
    speaker: re.Pattern[str] | None


@dataclass(frozen=True)
class ContextSettings:
    rules: tuple[ContextRule, ...]
    clause_breaks: str
    context_chars: int
    sentence_breaks: str
    sentence_chars: int
    speaker_label: re.Pattern[str] | None = None
    turn_chars: int = 600
    own_quote: re.Pattern[str] | None = None  # before a quotation: the agent quoting themself
    # a label naming no side (A：, 说话人2：), the opening of an agent's first turn, and the labels
    # an anonymous speaker's turns then read as ({"agent": 坐席, "caller": 来电人})
    anonymous_speaker: re.Pattern[str] | None = None
    agent_opening: re.Pattern[str] | None = None
    anonymous_as: tuple[tuple[str, str], ...] = ()

    def characters(self) -> set[str]:
        """The Chinese characters the patterns are written with (their Traditional forms must
        fold onto them)."""
        patterns = [self.speaker_label, self.own_quote, self.anonymous_speaker, self.agent_opening]
        for rule in self.rules:
            patterns += [rule.before, rule.after, rule.matched, rule.sentence, rule.speaker]
        return set(_CJK_CHAR.findall("".join(p.pattern for p in patterns if p is not None)))


def _word_lists(document: YamlDocument, data: dict[str, Any]) -> dict[str, str]:
    lists = mapping(document, ("word_lists",), data.get("word_lists") or {}, "named word lists")
    alternations: dict[str, str] = {}
    members: dict[str, set[str]] = {}
    for name in lists:
        if not _LIST_NAME.fullmatch("{" + str(name) + "}"):
            raise document.error(("word_lists", name), "a list name is lower-case letters and _")
        words = set()
        for word in texts(document, ("word_lists",), lists, name, required=True):
            included = _LIST_NAME.fullmatch(word)
            if included is None:
                words.add(word)
            elif included.group(1) in members:
                words |= members[included.group(1)]
            else:
                raise document.error(("word_lists", name), f"{word} is not a list defined above")
        members[name] = words
        alternations[name] = trie_pattern(words)
    return alternations


def trie_pattern(words: set[str]) -> str:
    """A regex alternation of `words` written as a trie (物(?:业|流)…): Python's re tries the
    alternatives of a plain list one by one at every position, a trie fails on the first
    character. Longer words are preferred, as in a longest-first list."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        ends_here = "" in node
        branches = [re.escape(char) + pattern(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends_here:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return "(?:" + pattern(trie) + ")"


def _pattern(document: YamlDocument, loc: tuple[Any, ...], source: str,
             lists: dict[str, str]) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        if match.group(1) not in lists:
            raise document.error(loc, f"unknown word list {{{match.group(1)}}}")
        return lists[match.group(1)]

    try:
        return re.compile(_LIST_NAME.sub(expand, source))
    except re.error as exc:
        raise document.error(loc, f"bad regular expression: {exc}") from None


def load_context(document: YamlDocument, data: dict[str, Any],
                 phrases: set[str]) -> ContextSettings:
    lists = _word_lists(document, data)
    rules: list[ContextRule] = []
    seen: set[str] = set()
    for loc, item in (mappings(document, "context", data["context"], "context rule")
                      if data.get("context") is not None else ()):
        rule_id = unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
        applies = texts(document, loc, item, "phrases", required=True)
        unknown = [p for p in applies if p not in phrases]
        if unknown:
            raise document.error(loc + ("phrases",), f"{unknown[0]!r} is not a listed phrase")
        patterns = {key: _pattern(document, loc + (key,), text(document, loc, item, key), lists)
                    for key in PATTERN_KEYS if item.get(key) is not None}
        if not patterns:
            raise document.error(loc, f"a context rule needs one of {', '.join(PATTERN_KEYS)}")
        rules.append(ContextRule(rule_id, text(document, loc, item, "why"), frozenset(applies),
                                 patterns.get("before"), patterns.get("after"),
                                 patterns.get("matched"), patterns.get("sentence"),
                                 patterns.get("speaker")))
    label = None
    if data.get("speaker_label") is not None:
        label = _pattern(document, ("speaker_label",), text(document, (), data, "speaker_label"),
                         lists)
        if "label" not in label.groupindex:
            raise document.error(("speaker_label",), "the pattern needs a group (?P<label>...)")
    elif any(rule.speaker is not None for rule in rules):
        raise document.error(("context",), "a rule with 'speaker' needs 'speaker_label'")
    own_quote = (_pattern(document, ("own_quote",), text(document, (), data, "own_quote"), lists)
                 if data.get("own_quote") is not None else None)
    anonymous, opening, read_as = _anonymous_speakers(document, data, lists)
    return ContextSettings(tuple(rules),
                           _characters(document, data, "clause_breaks", "，。！？；：,!?;:\n"),
                           whole_number(document, ("context_chars",),
                                        data.get("context_chars", 14), 1),
                           _characters(document, data, "sentence_breaks", "。！？!?\n"),
                           whole_number(document, ("sentence_chars",),
                                        data.get("sentence_chars", 80), 1),
                           label,
                           whole_number(document, ("turn_chars",), data.get("turn_chars", 600), 1),
                           own_quote, anonymous, opening, read_as)


def _anonymous_speakers(document: YamlDocument, data: dict[str, Any], lists: dict[str, str]
                        ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None,
                                   tuple[tuple[str, str], ...]]:
    """`anonymous_speaker`, `agent_opening` and `anonymous_as` (all three or none)."""
    keys = ("anonymous_speaker", "agent_opening", "anonymous_as")
    given = [key for key in keys if data.get(key) is not None]
    if not given:
        return None, None, ()
    if len(given) != len(keys):
        missing = next(key for key in keys if key not in given)
        raise document.error((given[0],), f"'{given[0]}' needs '{missing}' too")
    read_as = mapping(document, ("anonymous_as",), data["anonymous_as"], "agent: …, caller: …")
    if set(read_as) != {"agent", "caller"}:
        raise document.error(("anonymous_as",), "'anonymous_as' names 'agent' and 'caller'")
    return (_pattern(document, ("anonymous_speaker",), text(document, (), data, "anonymous_speaker"),
                     lists),
            _pattern(document, ("agent_opening",), text(document, (), data, "agent_opening"), lists),
            tuple((side, str(read_as[side])) for side in ("agent", "caller")))


def _characters(document: YamlDocument, data: dict[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise document.error((key,), f"'{key}' is a string of characters")
    return value



class ContextJudge:
    """Decides whether the clause around a hit excuses it."""

    def __init__(self, settings: ContextSettings) -> None:
        self.settings = settings
        self._by_phrase: dict[str, list[ContextRule]] = {}
        for rule in settings.rules:
            for phrase in rule.phrases:
                self._by_phrase.setdefault(phrase, []).append(rule)
        breaks = "[" + re.escape(settings.clause_breaks) + "]"
        self._last_break = re.compile(f"(?s:.*){breaks}")
        self._first_break = re.compile(breaks)
        self._labels: tuple[str | None, list[tuple[int, str]]] = (None, [])
        self._last_sentence_break = re.compile(
            "(?s:.*)[" + re.escape(settings.sentence_breaks) + "]")

    def excused_by(self, phrase: str, hit: Match[Any]) -> ContextRule | None:
        """The rule that gives this hit of `phrase` another sense, if any."""
        rules = self._by_phrase.get(phrase)
        if not rules:
            return None
        before = after = sentence = speaker = None
        limit = self.settings.context_chars
        for rule in rules:
            if rule.matched is not None and not rule.matched.search(hit.matched):
                continue
            if rule.before is not None:
                if before is None:
                    before = hit.before(limit, self._last_break)
                if not rule.before.search(before):
                    continue
            if rule.after is not None:
                if after is None:
                    after = hit.after(limit, self._first_break)
                if not rule.after.search(after):
                    continue
            if rule.sentence is not None:
                if sentence is None:
                    sentence = hit.before(self.settings.sentence_chars, self._last_sentence_break)
                if not rule.sentence.search(sentence):
                    continue
            if rule.speaker is not None:
                if speaker is None:
                    speaker = self._speaker(hit)
                if not rule.speaker.search(speaker):
                    continue
            return rule
        return None

    def _speaker(self, hit: Match[Any]) -> str:
        """The label of the transcript turn the hit is in, "" outside labelled turns. The
        labels of a text are found once, for all of its hits."""
        pattern = self.settings.speaker_label
        if pattern is None:
            return ""
        text, ends = self._labels  # one read: checks may run in several threads
        if text is not hit.text:
            ends = self._turn_labels(hit.text, pattern)
            self._labels = (hit.text, ends)
        turn = bisect_right(ends, (hit.start, "\U0010ffff")) - 1
        if turn < 0 or hit.start - ends[turn][0] > self.settings.turn_chars:
            return ""
        return ends[turn][1]

    def _turn_labels(self, text: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
        """(end, label) of every turn label of `text`; anonymous labels (A：, B：) read as the
        agent's or the caller's when one of them opens its first turn as an agent does."""
        bare = "bare_label" in pattern.groupindex
        found = [(m.start(), m.end(), m.group("label") or (bare and m.group("bare_label")) or "")
                 for m in pattern.finditer(text)]
        settings = self.settings
        anonymous = settings.anonymous_speaker
        if anonymous is None or settings.agent_opening is None:
            return [(end, label) for _, end, label in found]
        agent = None
        for index, (_, end, label) in enumerate(found):
            if anonymous.search(label):
                turn_end = found[index + 1][0] if index + 1 < len(found) else len(text)
                if settings.agent_opening.search(text[end:turn_end]):
                    agent = label
                    break
        if agent is None:
            return [(end, label) for _, end, label in found]
        read_as = dict(settings.anonymous_as)
        return [(end, read_as["agent"] if label == agent else
                 read_as["caller"] if anonymous.search(label) else label)
                for _, end, label in found]
