"""Acceptance scope (8890 四(一)1 非受理范围) and emergencies (① of 非受理范围, GB/T 44190 6.3.1),
judged on what the agent types into the 诉求. The console, the CLI (`check-scope`) and the center
call `ScopeDetector.detect(text) -> ScopeVerdict`.

Everything is data in scripts_phrases/: scope.yaml holds the non-accepted categories with their
replies, the scope rules, the emergency events with their services (110 / 119 / 120 / 122) and the
cues that cancel a hit (negation, past, hypothetical, inquiry…); gazetteer.yaml holds the places
inside and outside Liaoning. Rules are regular expressions over the normalised text: NFKC,
Traditional -> Simplified and spaces/punctuation skipped as in the forbidden checker, except that
clause breaks read as "，" and sentence breaks as "。", so `[^，。]` keeps a pattern inside its
clause. `{{name}}` in a pattern is a fragment from `define:` (a list of words becomes their
alternation). Each rule is split into its top-level alternatives, compiled once; the literal
factors each alternative's matches must contain are found at load and matched all at once
(Aho-Corasick), so a keystroke tries only the alternatives whose factors are in the text. The
console shows the scripted reply; it never refuses on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick_rs

from seat_console.core.errors import DataFileError
from seat_console.core.phrases.catalog import PLACEHOLDERS, fill, placeholders_in
from seat_console.core.phrases.data_file import items, mapping, mappings, open_document, text, texts
from seat_console.core.phrases.normalizer import DROP, Normalizer, OffsetMap
from seat_console.core.yaml_source import YamlDocument

SCOPE_FILE = "scope.yaml"
GAZETTEER_FILE = "gazetteer.yaml"
CATEGORIES = ("civil_dispute", "legal_procedure", "military", "out_of_province")
EMERGENCY_SERVICES = ("110", "119", "120", "122")
CLAUSE = "，"  # clause breaks read as this in the normalised text
SENTENCE = "。"  # and sentence breaks as this
CUE_PLACES = ("before", "after", "clause", "text")
SIDES = ("liaoning", "outside")
# Stand for clause and sentence breaks while the text is folded: letters (so the normaliser keeps
# them) that no caller types (Yi syllables); they become CLAUSE and SENTENCE afterwards.
_CLAUSE_MARK, _SENTENCE_MARK = "\ua000", "\ua001"
_FOLDS = {"著": "着"}  # 著 is 着 in Traditional text (著火了); OpenCC keeps it
_MACRO = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_REGEX_SYNTAX = set("()[]{}|?*+\\^$")  # never in a plain word of a list
_FACTOR_LIMIT = 64  # largest set of alternative literals tracked per factor


# -- the rules, as loaded ------------------------------------------------------------------------
@dataclass(frozen=True)
class NotAccepted:
    """A non-accepted category of the 8890 spec with the reply the agent reads out."""

    id: str
    label: str
    reply: str


@dataclass(frozen=True)
class Cue:
    """A pattern that, found `where` around a hit, cancels it (没着火, 上个月…, 万一…, 想问理赔)."""

    id: str
    where: str  # before / after (the hit's clause), clause, text
    regex: re.Pattern[str]

    def holds(self, compact: str, start: int, end: int) -> bool:
        if self.where == "text":
            return self.regex.search(compact) is not None
        left, right = clause_bounds(compact, start, end)
        segment = {"before": (left, start), "after": (end, right), "clause": (left, right)}
        low, high = segment[self.where]
        return self.regex.search(compact[low:high]) is not None


def clause_bounds(compact: str, start: int, end: int) -> tuple[int, int]:
    """[left, right) of the clause around compact[start:end]."""
    left = max(compact.rfind(CLAUSE, 0, start), compact.rfind(SENTENCE, 0, start)) + 1
    ends = [i for i in (compact.find(CLAUSE, end), compact.find(SENTENCE, end)) if i >= 0]
    return left, min(ends) if ends else len(compact)


@dataclass(frozen=True)
class ScopeRule:
    id: str
    category: str
    regex: re.Pattern[str]
    unless: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class EmergencyEvent:
    id: str
    label: str
    services: tuple[str, ...]
    regex: re.Pattern[str]
    unless: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Place:
    name: str
    side: str  # liaoning / outside / ambiguous / local (本市: Liaoning context) / none (医保定点)
    region: str  # the city or province it belongs to
    default: str = ""  # for a name on both sides: its side without context


@dataclass(frozen=True)
class OutOfProvince:
    """How a place outside Liaoning makes a matter out of scope (scope.yaml `out_of_province`)."""

    there: re.Pattern[str]  # right after the place: the matter is there (那边的事)
    not_the_matter: re.Pattern[str]  # right after the place: origin, street, brand (河北人, 北京路)
    not_the_matter_before: re.Pattern[str]  # before a Liaoning place, in its clause (现居住在铁岭)
    handled_here: re.Pattern[str]  # anywhere: a Liaoning matter naming elsewhere (社保转回)
    at_place_before: re.Pattern[str]  # before a place, in its clause: it happens there (在长春买的)
    at_place_after: re.Pattern[str]  # right after a place: it happens there (吉林省某小区)


@dataclass(frozen=True)
class ScopeRules:
    accepted: list[str]
    not_accepted: list[NotAccepted]  # in precedence: the first that matches is reported
    rules: list[ScopeRule]
    emergencies: list[EmergencyEvent]
    emergency_cancel: tuple[Cue, ...]
    services: dict[str, str]  # service number -> what it is for
    emergency_script: str
    clause_breaks: str
    sentence_breaks: str
    places: list[Place]
    out_of_province: OutOfProvince
    fragments: dict[str, str] = field(default_factory=dict)  # the expanded `define:` entries

    def category(self, category_id: str) -> NotAccepted:
        return next(c for c in self.not_accepted if c.id == category_id)


# -- what a text triggered -----------------------------------------------------------------------
@dataclass(frozen=True)
class ScopeMatch:
    category: str
    rule: str
    label: str  # the category's label: the 不予受理 reason
    reply: str  # the category's reply template ({surname}{honorific})
    matched: str  # text[start:end] of the original text
    start: int
    end: int

    def as_json(self) -> dict[str, object]:
        return {"category": self.category, "rule": self.rule,
                "reply": fill(self.reply, {"honorific": "先生/女士"})}


@dataclass(frozen=True)
class EmergencyMatch:
    services: tuple[str, ...]  # sorted: ("119", "120")
    matched: str  # the first event, as in the original text
    labels: tuple[str, ...]  # of every event found, in text order
    start: int
    end: int
    rules: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"services": list(self.services), "matched": self.matched}


@dataclass(frozen=True)
class ScopeVerdict:
    """What the 诉求 triggered; false when neither an emergency nor a non-accepted matter."""

    scope: ScopeMatch | None = None
    emergency: EmergencyMatch | None = None

    def __bool__(self) -> bool:
        return self.scope is not None or self.emergency is not None

    def as_json(self) -> dict[str, object]:
        return {"scope": self.scope.as_json() if self.scope else None,
                "emergency": self.emergency.as_json() if self.emergency else None}


ScopeFinding = ScopeVerdict  # the former name, still used by the console's call state
NOTHING = ScopeVerdict()


# -- loading -------------------------------------------------------------------------------------
def _checked_template(document: YamlDocument, loc: tuple[Any, ...], value: str) -> str:
    try:
        unknown = [n for n in placeholders_in(value) if n not in PLACEHOLDERS]
    except ValueError as exc:
        raise document.error(loc, f"bad placeholder syntax: {exc}") from None
    if unknown:
        raise document.error(loc, f"unknown placeholder {{{unknown[0]}}}")
    return value


def _char_class(chars: str) -> str:
    return "[" + "".join(re.escape(ch) for ch in chars) + "]" if chars else "(?!)"


def _expand(document: YamlDocument, loc: tuple[Any, ...], pattern: str,
            fragments: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            raise document.error(loc, f"unknown fragment {{{{{name}}}}} (see 'define')")
        return fragments[name]

    return _MACRO.sub(replace, pattern)


def _regex(document: YamlDocument, loc: tuple[Any, ...], pattern: str,
           fragments: dict[str, str]) -> re.Pattern[str]:
    expanded = _expand(document, loc, pattern, fragments)
    try:
        compiled = re.compile(expanded)
    except re.error as exc:
        raise document.error(loc, f"bad regular expression {pattern!r}: {exc}") from None
    if compiled.search(""):
        raise document.error(loc, f"pattern {pattern!r} matches an empty text")
    return compiled


def _fragments(document: YamlDocument, data: dict[str, Any]) -> dict[str, str]:
    fragments: dict[str, str] = {}
    defined = data.get("define") or {}
    mapping(document, ("define",), defined, "named fragments (words or a pattern)")
    for name, value in defined.items():
        loc = ("define", name)
        if not isinstance(name, str) or not _MACRO.fullmatch("{{" + name + "}}"):
            raise document.error(loc, f"fragment name {name!r} must be letters, digits or _")
        if isinstance(value, list):
            if not value or not all(isinstance(v, str) and v.strip() for v in value):
                raise document.error(loc, f"'{name}' must be a list of non-empty words")
            plain = [w for w in value if not _MACRO.search(w)]
            if any(ch in w for w in plain for ch in _REGEX_SYNTAX):
                raise document.error(loc, f"'{name}' is a list of plain words; write a pattern "
                                     "as a fragment of its own and list it as {{fragment}}")
            words = [_expand(document, loc, w, fragments) if _MACRO.search(w) else re.escape(w)
                     for w in value]
            fragments[name] = "(?:" + "|".join(sorted(set(words), key=lambda w: (-len(w), w))) + ")"
        elif isinstance(value, str) and value.strip():
            fragments[name] = "(?:" + _expand(document, loc, value, fragments) + ")"
        else:
            raise document.error(loc, f"'{name}' must be a list of words or a pattern")
        try:
            re.compile(fragments[name])
        except re.error as exc:
            raise document.error(loc, f"bad regular expression in '{name}': {exc}") from None
    return fragments


def _cue(document: YamlDocument, loc: tuple[Any, ...], item: dict[str, Any],
         fragments: dict[str, str], name: str) -> Cue:
    where = text(document, loc, item, "where")
    if where not in CUE_PLACES:
        raise document.error(loc + ("where",), f"'where' must be one of {', '.join(CUE_PLACES)}")
    return Cue(name, where, _regex(document, loc + ("pattern",), text(document, loc, item, "pattern"),
                                   fragments))


def _cue_list(document: YamlDocument, loc: tuple[Any, ...], value: Any, cues: dict[str, Cue],
              fragments: dict[str, str]) -> tuple[Cue, ...]:
    """`unless`: cue ids from `cues:` or inline {where, pattern} mappings."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise document.error(loc, "'unless' must be a list of cue ids or {where, pattern}")
    found = []
    for index, item in enumerate(value):
        here = loc + (index,)
        if isinstance(item, str):
            if item not in cues:
                raise document.error(here, f"unknown cue {item!r}; known: {', '.join(cues)}")
            found.append(cues[item])
        else:
            item = mapping(document, here, item, "a cue id or {where, pattern}")
            found.append(_cue(document, here, item, fragments, f"{loc[0]}#{index}"))
    return tuple(found)


def _unique(document: YamlDocument, loc: tuple[Any, ...], value: str, seen: set[str]) -> str:
    if value in seen:
        raise document.error(loc, f"duplicate id {value!r}")
    seen.add(value)
    return value


def _no_duplicate_keys(document: YamlDocument) -> None:
    """PyYAML keeps the last of two equal keys; in rules that silently drops one (two `unless`)."""
    import yaml

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    raise DataFileError(document.path, key.start_mark.line + 1,
                                        f"duplicate key {key.value!r}")
                seen.add(key.value)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(yaml.compose(document.path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))


def load_gazetteer(folder: Path) -> list[Place]:
    """Places of gazetteer.yaml: `liaoning` and `outside` (region -> names), `local` (words that
    mean here: 本市, 咱们这), `ambiguous` (name on both sides -> its side without context) and
    `not_places` (words holding a place name that are no place: 医保定点 is not 保定)."""
    document = open_document(folder, GAZETTEER_FILE)
    _no_duplicate_keys(document)
    data = mapping(document, (), document.data, "'liaoning', 'outside', 'local', 'ambiguous'")
    sides: dict[str, dict[str, tuple[str, tuple[Any, ...]]]] = {}
    for side in SIDES:
        regions = mapping(document, (side,), data.get(side), f"{side}: region -> list of names")
        names: dict[str, tuple[str, tuple[Any, ...]]] = {}
        for region in regions:
            for name in texts(document, (side,), regions, region, required=True):
                names.setdefault(name, (str(region), (side, region)))
        sides[side] = names
    ambiguous = data.get("ambiguous") or {}
    mapping(document, ("ambiguous",), ambiguous, "name -> liaoning | outside")
    places = []
    both = set(sides["liaoning"]) & set(sides["outside"])
    for name in sorted(both - set(ambiguous)):
        raise document.error(sides["outside"][name][1],
                             f"{name!r} is in 'liaoning' and 'outside': say under 'ambiguous' "
                             "which side it means without context")
    for name, default in ambiguous.items():
        if name not in both:
            raise document.error(("ambiguous", name), f"{name!r} is not listed on both sides")
        if default not in SIDES:
            raise document.error(("ambiguous", name), f"side must be one of {', '.join(SIDES)}")
        region = f"{sides['liaoning'][name][0]} / {sides['outside'][name][0]}"
        places.append(Place(name, "ambiguous", region, str(default)))
    for side, names in sides.items():
        places += [Place(n, side, region) for n, (region, _) in names.items() if n not in both]
    places += [Place(w, "local", "辽宁")
               for w in texts(document, (), data, "local", required=True)]
    places += [Place(w, "none", "") for w in texts(document, (), data, "not_places")]
    return places


def load_scope(folder: Path) -> ScopeRules:
    document = open_document(folder, SCOPE_FILE)
    _no_duplicate_keys(document)
    data = mapping(document, (), document.data, "the scope rules")
    accepted = items(document, ("accepted",), data.get("accepted"), "accepted categories")
    breaks = text(document, (), data, "clause_breaks")
    sentence_breaks = text(document, (), data, "sentence_breaks")
    fragments = _fragments(document, data)

    categories, seen = [], set()
    for loc, item in mappings(document, "categories", data.get("categories"),
                              "non-accepted category (id, label, reply)"):
        category = _unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
        if category not in CATEGORIES:
            raise document.error(loc + ("id",), f"unknown category {category!r}; expected one "
                                 f"of {', '.join(CATEGORIES)}")
        categories.append(NotAccepted(category, text(document, loc, item, "label"), _checked_template(
            document, loc + ("reply",), text(document, loc, item, "reply"))))
    missing = [c for c in CATEGORIES if c not in seen]
    if missing:
        raise document.error(("categories",), f"missing category: {', '.join(missing)}")

    cues: dict[str, Cue] = {}
    for loc, item in mappings(document, "cues", data.get("cues"), "cue (id, where, pattern)"):
        cue_id = _unique(document, loc + ("id",), text(document, loc, item, "id"), set(cues))
        cues[cue_id] = _cue(document, loc, item, fragments, cue_id)

    rules, seen = [], set()
    for loc, item in mappings(document, "rules", data.get("rules"),
                              "scope rule (id, category, pattern, unless)"):
        rule_id = _unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
        category = text(document, loc, item, "category")
        if category not in CATEGORIES:
            raise document.error(loc + ("category",), f"unknown category {category!r}; expected "
                                 f"one of {', '.join(CATEGORIES)}")
        rules.append(ScopeRule(rule_id, category, _regex(
            document, loc + ("pattern",), text(document, loc, item, "pattern"), fragments),
            _cue_list(document, loc + ("unless",), item.get("unless"), cues, fragments)))

    section = mapping(document, ("emergency",), data.get("emergency"),
                      "'services', 'cancel' and 'events'")
    services = mapping(document, ("emergency", "services"), section.get("services"),
                       "service number -> label")
    services = {str(k): str(v) for k, v in services.items()}
    if sorted(services) != sorted(EMERGENCY_SERVICES):
        raise document.error(("emergency", "services"),
                             f"services must be exactly {', '.join(EMERGENCY_SERVICES)}")
    cancel = _cue_list(document, ("emergency", "cancel"), section.get("cancel"), cues, fragments)
    events, seen = [], set()
    for index, item in enumerate(items(document, ("emergency", "events"), section.get("events"),
                                       "emergency events")):
        loc = ("emergency", "events", index)
        item = mapping(document, loc, item, "event (id, label, services, pattern, unless)")
        event_id = _unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
        wanted = [str(s) for s in item.get("services") or []]
        if not wanted or any(s not in EMERGENCY_SERVICES for s in wanted):
            raise document.error(loc + ("services",), "services must be a non-empty list of "
                                 f"{', '.join(EMERGENCY_SERVICES)}")
        events.append(EmergencyEvent(
            event_id, text(document, loc, item, "label"), tuple(sorted(set(wanted))),
            _regex(document, loc + ("pattern",), text(document, loc, item, "pattern"), fragments),
            _cue_list(document, loc + ("unless",), item.get("unless"), cues, fragments)))
    script = _checked_template(document, ("emergency_script",),
                               text(document, (), data, "emergency_script"))

    loc = ("out_of_province",)
    outside = mapping(document, loc, data.get("out_of_province"),
                      "'there', 'not_the_matter', 'not_the_matter_before', 'handled_here', "
                      "'at_place_before', 'at_place_after'")
    out_of_province = OutOfProvince(*(
        _regex(document, loc + (key,), text(document, loc, outside, key), fragments)
        for key in ("there", "not_the_matter", "not_the_matter_before", "handled_here",
                    "at_place_before", "at_place_after")))
    return ScopeRules([str(a) for a in accepted], categories, rules, events, cancel, services,
                      script, breaks, sentence_breaks, load_gazetteer(folder), out_of_province,
                      fragments)


# -- literal factors of a pattern ----------------------------------------------------------------
def top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(?:c|d)|e` -> [a, b(?:c|d), e]: each can be compiled and triggered on its own."""
    parts: list[str] = []
    depth, start, index, in_class, class_first = 0, 0, 0, False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]" or index == class_first
        elif char == "[":
            in_class = True
            class_first = index + 2 if pattern[index + 1:index + 2] == "^" else index + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def required_factors(pattern: re.Pattern[str] | str) -> frozenset[str] | None:
    """Literal strings one of which every match of `pattern` contains, or None when no such set
    was found (the pattern is then tried on every text)."""
    try:
        from re import _constants as constants, _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # another interpreter: correct, only slower
        return None
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    try:
        tree = parser.parse(source)
    except Exception:  # noqa: BLE001 - compiled fine above; be safe, not clever
        return None
    if tree.state.flags & (constants.SRE_FLAG_IGNORECASE | constants.SRE_FLAG_VERBOSE):
        return None
    return _sequence(list(tree), constants)[1]


Factors = frozenset[str]


def _best(candidates: list[Factors | None]) -> Factors | None:
    usable = [c for c in candidates if c and all(c)]
    return max(usable, key=lambda c: (min(map(len, c)), -len(c))) if usable else None


def _node(op: Any, av: Any, c: Any) -> tuple[Factors | None, Factors | None]:
    """(the exact strings the node matches if few, literal factors it requires)."""
    if op is c.LITERAL:
        return frozenset([chr(av)]), None
    if op is c.IN:
        chars = [chr(a) for o, a in av if o is c.LITERAL]
        if len(chars) != len(av) or len(chars) > _FACTOR_LIMIT:
            return None, None
        return frozenset(chars), None
    if op is c.BRANCH:
        branches = [_sequence(list(b), c) for b in av[1]]
        exact = None
        if all(e is not None for e, _ in branches):
            union = frozenset().union(*(e for e, _ in branches if e is not None))
            exact = union if len(union) <= _FACTOR_LIMIT else None
        each = [_best([e, r]) for e, r in branches]
        required = frozenset().union(*each) if all(each) else None  # type: ignore[arg-type]
        return exact, required
    if op is c.SUBPATTERN:
        return _sequence(list(av[-1]), c)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        exact, required = _sequence(list(sub), c)
        if low == 0:
            return (exact | {""} if high == 1 and exact is not None else None), None
        return (exact if low == high == 1 else None), _best([exact, required])
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset([""]), None  # zero width
    return None, None  # any character, classes, back references…


def _sequence(nodes: list[Any], c: Any) -> tuple[Factors | None, Factors | None]:
    candidates: list[Factors | None] = []
    run: Factors = frozenset([""])  # the exact strings of the current run of exact nodes
    all_exact = True
    for op, av in nodes:
        exact, required = _node(op, av, c)
        candidates.append(required)
        if exact is not None:
            product = frozenset(a + b for a in run for b in exact)
            if len(product) <= _FACTOR_LIMIT:
                run = product
                continue
            candidates.append(run)
            run, all_exact = exact, False
            continue
        candidates.append(run)
        run, all_exact = frozenset([""]), False
    candidates.append(run)
    return (run if all_exact else None), _best(candidates)


# -- detection -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Piece:
    """One top-level alternative of a rule's pattern, tried when one of its factors is found."""

    rule: int  # index into ScopeDetector._rules
    regex: re.Pattern[str]


class ScopeDetector:
    """detect(text) -> ScopeVerdict; fast enough for every keystroke on the 诉求 (~tens of µs)."""

    def __init__(self, rules: ScopeRules) -> None:
        self.rules = rules
        self._rules: list[ScopeRule | EmergencyEvent] = [*rules.emergencies, *rules.rules]
        # The cues of each rule: those on the whole text are decided once per text.
        self._text_cues: list[tuple[Cue, ...]] = []
        self._local_cues: list[tuple[Cue, ...]] = []
        for rule in self._rules:
            cues = rule.unless + (rules.emergency_cancel if isinstance(rule, EmergencyEvent) else ())
            self._text_cues.append(tuple(c for c in cues if c.where == "text"))
            self._local_cues.append(tuple(c for c in cues if c.where != "text"))
        self._emergency_text_cues = tuple(c for c in rules.emergency_cancel if c.where == "text")
        alphabet = set(CLAUSE + SENTENCE)
        for rule in self._rules:
            alphabet.update(rule.regex.pattern)
        for place in rules.places:
            alphabet.update(place.name)
        self.normalizer = Normalizer(alphabet, _FOLDS)
        # regular expressions, not str.translate: a dict table costs ~30 µs per 500 characters
        self._clause_breaks = re.compile(_char_class(rules.clause_breaks))
        self._sentence_breaks = re.compile(_char_class(rules.sentence_breaks))
        self._precedence = {c.id: index for index, c in enumerate(rules.not_accepted)}
        self._pieces: list[_Piece] = []
        factor_pieces: dict[str, list[int]] = {}
        self._always: list[int] = []  # pieces without factors
        for index, rule in enumerate(self._rules):
            for part in top_level_alternatives(rule.regex.pattern):
                piece = len(self._pieces)
                self._pieces.append(_Piece(index, re.compile(part)))
                factors = required_factors(part)
                if factors is None:
                    self._always.append(piece)
                    continue
                for factor in factors:
                    factor_pieces.setdefault(factor, []).append(piece)
        self._factor_pieces = list(factor_pieces.values())
        self._factors = ahocorasick_rs.AhoCorasick(list(factor_pieces)) if factor_pieces else None
        self._places = rules.places
        self._place_finder = ahocorasick_rs.AhoCorasick(
            [self.normalizer.compact(p.name) for p in rules.places],
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    @classmethod
    def from_folder(cls, folder: Path) -> ScopeDetector:
        return cls(load_scope(folder))

    @property
    def always_tried(self) -> list[str]:
        """Rules with a part that has no literal factors: tried on every text (none shipped)."""
        return list(dict.fromkeys(self._rules[self._pieces[i].rule].id for i in self._always))

    def normalise(self, text: str) -> tuple[str, str]:
        """(folded: same length as `text`, DROP for what is skipped; compact: what rules see)."""
        marked = self._sentence_breaks.sub(_SENTENCE_MARK, self._clause_breaks.sub(_CLAUSE_MARK, text))
        folded = self.normalizer.fold(marked)
        folded = folded.replace(_CLAUSE_MARK, CLAUSE).replace(_SENTENCE_MARK, SENTENCE)
        return folded, folded.replace(DROP, "")

    def detect(self, text: str) -> ScopeVerdict:
        if not text or text.isspace():
            return NOTHING
        folded, compact = self.normalise(text)
        if not compact.strip(CLAUSE + SENTENCE):
            return NOTHING
        triggered: dict[int, list[int]] = {}  # rule -> its pieces whose factors are in the text
        pieces = set(self._always)
        if self._factors is not None:
            for index, _, _ in self._factors.find_matches_as_indexes(compact, overlapping=True):
                pieces.update(self._factor_pieces[index])
        if not pieces:
            return self._verdict(text, folded, compact, [], [])
        for piece in sorted(pieces):
            triggered.setdefault(self._pieces[piece].rule, []).append(piece)
        memo: dict[int, bool] = {}  # id(cue) -> holds, for cues on the whole text

        def cancelled_by_text(cues: tuple[Cue, ...]) -> bool:
            for cue in cues:
                if id(cue) not in memo:
                    memo[id(cue)] = cue.regex.search(compact) is not None
                if memo[id(cue)]:
                    return True
            return False

        # Emergencies come first in self._rules; one is reported alone: the caller is directed to
        # 110/119/120/122 whatever else the matter is.
        events: list[tuple[int, int, EmergencyEvent]] = []
        scopes: list[tuple[int, int, int, str, str]] = []  # precedence, start, end, category, rule
        emergencies_off = None
        for index in sorted(triggered):
            rule = self._rules[index]
            if isinstance(rule, EmergencyEvent):
                if emergencies_off is None:
                    emergencies_off = cancelled_by_text(self._emergency_text_cues)
                if emergencies_off:
                    continue
            elif events:
                break
            if cancelled_by_text(self._text_cues[index]):
                continue
            span = self._first_hit(triggered[index], self._local_cues[index], compact)
            if span is None:
                continue
            if isinstance(rule, EmergencyEvent):
                events.append((*span, rule))
            else:
                scopes.append((self._precedence[rule.category], *span, rule.category, rule.id))
        return self._verdict(text, folded, compact, events, scopes)

    def _verdict(self, text: str, folded: str, compact: str,
                 events: list[tuple[int, int, EmergencyEvent]],
                 scopes: list[tuple[int, int, int, str, str]]) -> ScopeVerdict:
        if not events and (outside := self._outside_place(compact)):
            scopes.append((self._precedence[outside[2]], *outside))
        if not scopes and not events:
            return NOTHING
        scope = min(scopes)[1:] if scopes and not events else None
        offsets = OffsetMap(folded)
        return ScopeVerdict(self._scope_match(text, offsets, scope) if scope else None,
                            self._emergency_match(text, offsets, events) if events else None)

    def _first_hit(self, pieces: list[int], cues: tuple[Cue, ...],
                   compact: str) -> tuple[int, int] | None:
        """The earliest match of the rule's triggered pieces that no cue around it cancels."""
        best: tuple[int, int] | None = None
        for piece in pieces:
            for match in self._pieces[piece].regex.finditer(compact):
                start, end = match.span()
                if best is not None and start >= best[0]:
                    break
                if not any(cue.holds(compact, start, end) for cue in cues):
                    best = (start, end)
                    break
        return best

    def _outside_place(self, compact: str) -> tuple[int, int, str, str] | None:
        """A place outside Liaoning where the matter is (see OutOfProvince): a matter handled
        here (社保转回沈阳) is in scope; else a place followed by `there` is out; else a place is
        out unless a Liaoning place or a local word is named too, and a Liaoning place named
        beside one where something happens (在长春买的) counts only if something happens there
        too (在营口开的分店)."""
        found = self._place_finder.find_matches_as_indexes(compact)
        if not found:
            return None
        settings = self.rules.out_of_province
        mentions: list[tuple[Place, int, int]] = []
        previous_end = -1
        for index, start, end in found:
            place = self._places[index]
            after_a_place, previous_end = start == previous_end, end
            if place.side == "none":
                continue  # a word that only holds a place name (医保定点)
            if place.side == "local" and after_a_place:
                continue  # 天津这边: the place before it, not here
            if place.side != "local":
                if settings.not_the_matter.match(compact, end):
                    continue  # 河北人, 北京路, 兰州拉面: not where the matter is
                left, _ = clause_bounds(compact, start, end)
                if place.side != "outside" and \
                        settings.not_the_matter_before.search(compact[left:start]):
                    continue  # 现居住在铁岭, 我们是营口的: where the caller lives or is from
            mentions.append((place, start, end))
        sure = {p.side for p, _, _ in mentions if p.side != "ambiguous"}
        here = bool(sure & {"liaoning", "local"})
        elsewhere = "outside" in sure
        outside, happens = [], {"liaoning": False, "outside": False}
        for place, start, end in mentions:
            side = place.side
            if side == "ambiguous":
                side = place.default if here == elsewhere else ("liaoning" if here else "outside")
            if side == "outside":
                outside.append((start, end))
            elif side == "liaoning":
                here = True
            if side in happens and not happens[side]:
                left, _ = clause_bounds(compact, start, end)
                happens[side] = bool(settings.at_place_after.match(compact, end)
                                     or settings.at_place_before.search(compact[left:start]))
        if not outside or settings.handled_here.search(compact):
            return None
        for start, end in outside:
            if settings.there.match(compact, end):
                return start, end, "out_of_province", "outside_place_there"
        if here and (happens["liaoning"] or not happens["outside"]):
            return None
        return (*outside[0], "out_of_province", "outside_place")

    def _scope_match(self, text: str, offsets: OffsetMap,
                     found: tuple[int, int, str, str]) -> ScopeMatch:
        start, end, category_id, rule_id = found
        category = self.rules.category(category_id)
        o_start, o_end = offsets.span(start, end)
        return ScopeMatch(category.id, rule_id, category.label, category.reply,
                          text[o_start:o_end], o_start, o_end)

    def _emergency_match(self, text: str, offsets: OffsetMap,
                         events: list[tuple[int, int, EmergencyEvent]]) -> EmergencyMatch:
        events.sort(key=lambda e: e[0])
        services = sorted({s for _, _, event in events for s in event.services})
        labels = tuple(dict.fromkeys(event.label for _, _, event in events))
        start, end = events[0][0], events[0][1]
        for other_start, other_end, _ in events[1:]:  # the first event with those it overlaps
            if other_start < end:
                end = max(end, other_end)
        o_start, o_end = offsets.span(start, end)
        return EmergencyMatch(tuple(services), text[o_start:o_end], labels, o_start, o_end,
                              tuple(event.id for _, _, event in events))

    def script(self, emergency: EmergencyMatch, context: dict[str, Any]) -> str:
        """The emergency script filled for `context`, with every service (119、120)."""
        return fill(self.rules.emergency_script,
                    {**context, "service": "、".join(emergency.services)})
