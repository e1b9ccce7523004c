"""The rules of transcript QA (scripts_phrases/qa_rules.yaml), validated with errors naming the
file and the line. The engine that applies them is `transcript_qa`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seat_console.core.phrases.data_file import (items, mapping, mappings, open_document, text,
                                                texts, whole_number)
from seat_console.core.yaml_source import YamlDocument

QA_FILE = "qa_rules.yaml"
SCOPE_TRIGGERS = ("not_accepted", "emergency")

# One alternative is a tuple of words; a word is a tuple of spellings ("您好|你好").
Alternative = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RequiredMoment:
    id: str
    label: str
    rule: str
    points: int
    alternatives: tuple[Alternative, ...]
    first_agent_turn: bool
    not_required_in: frozenset[str]
    when: str | None = None  # a condition id: without it, the moment is not required
    waived_by_caller: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Condition:
    """What makes a `when:` moment required: an agent turn matching one alternative."""

    label: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Avoid:
    """What the agent must not say when answering a conditional moment."""

    label: str
    alternatives: tuple[Alternative, ...]
    refusal: bool = False  # a refusal: never allowed, even when the agent accepted the matter


@dataclass(frozen=True)
class ConditionalMoment:
    """A moment that applies only when the caller says something (caller_any), or when the scope
    detector finds the caller's matter out of scope or an emergency (scope)."""

    id: str
    label: str
    rule: str
    points: int
    alternatives: tuple[Alternative, ...]
    not_required_in: frozenset[str]
    caller_any: tuple[Alternative, ...] = ()
    scope: str | None = None  # "not_accepted" or "emergency"
    within: int | None = None  # agent turns after the trigger; None: the rest of the call
    avoid: tuple[Avoid, ...] = ()
    kind_label: str = ""  # a scope moment: the name of the kind of call it sets
    # required moments whose presence shows the agent accepted the matter as in scope
    accepted_when: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SpecialCall:
    id: str
    label: str
    rule: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class SilentCallRule:
    rule: str
    points: int
    ask: tuple[str, ...]
    ask_times: int
    close: tuple[str, ...]


@dataclass(frozen=True)
class QaRules:
    base: int
    agent_names: tuple[str, ...]
    caller_names: tuple[str, ...]
    silence_markers: frozenset[str]
    forbidden_points: int
    forbidden_rule: str
    required: tuple[RequiredMoment, ...]
    special_calls: tuple[SpecialCall, ...]
    silent_call: SilentCallRule
    pass_mark: int = 80
    conditions: dict[str, Condition] = field(default_factory=dict)
    conditional: tuple[ConditionalMoment, ...] = ()

    def kind_labels(self) -> dict[str, str]:
        """The kinds of call (call_kind) and how reports name them."""
        return {"normal": "正常来电", "silent": "无人应答来电",
                **{c.id: c.label for c in self.special_calls},
                **{m.id: m.kind_label for m in self.conditional if m.scope}}

    def words(self) -> Iterator[str]:
        """Every spelling any rule looks for (the normaliser's alphabet)."""
        groups: list[tuple[Alternative, ...]] = [m.alternatives for m in self.required]
        groups += [m.waived_by_caller for m in self.required]
        groups += [c.alternatives for c in self.special_calls]
        groups += [c.alternatives for c in self.conditions.values()]
        for moment in self.conditional:
            groups += [moment.alternatives, moment.caller_any]
            groups += [a.alternatives for a in moment.avoid]
        for alternatives in groups:
            for alternative in alternatives:
                for word in alternative:
                    yield from word
        yield from self.silent_call.ask
        yield from self.silent_call.close


def _alternatives(document: YamlDocument, loc: tuple, value: Any) -> tuple[Alternative, ...]:
    alternatives = items(document, loc, value, "alternatives (lists of words)")
    result = []
    for index, words in enumerate(alternatives):
        if not isinstance(words, list) or not words or \
                not all(isinstance(w, (str, int)) and str(w).strip() for w in words):
            raise document.error(loc + (index,), "an alternative is a non-empty list of words")
        alternative = []
        for word in words:
            spellings = tuple(s.strip() for s in str(word).split("|"))
            if not all(spellings):
                raise document.error(loc + (index,), f"empty spelling in {word!r} (a|b: a or b)")
            alternative.append(spellings)
        result.append(tuple(alternative))
    return tuple(result)


def _optional_alternatives(document: YamlDocument, loc: tuple,
                           value: Any) -> tuple[Alternative, ...]:
    return () if value is None else _alternatives(document, loc, value)


def _kinds(document: YamlDocument, loc: tuple, item: dict[str, Any]) -> frozenset[str]:
    return frozenset(texts(document, loc, item, "not_required_in"))


def _conditions(document: YamlDocument, data: dict[str, Any]) -> dict[str, Condition]:
    value = data.get("conditions")
    if value is None:
        return {}
    found = mapping(document, ("conditions",), value, "conditions (id: {label, any})")
    result = {}
    for name, condition in found.items():
        loc = ("conditions", name)
        condition = mapping(document, loc, condition, "a condition with 'label' and 'any'")
        result[str(name)] = Condition(text(document, loc, condition, "label"),
                                      _alternatives(document, loc + ("any",), condition.get("any")))
    return result


def _required(document: YamlDocument, data: dict[str, Any],
              conditions: dict[str, Condition]) -> tuple[RequiredMoment, ...]:
    required = []
    for loc, item in mappings(document, "required", data.get("required"), "required moment"):
        when = text(document, loc, item, "when", required=False) or None
        if when is not None and when not in conditions:
            raise document.error(loc + ("when",), f"unknown condition {when!r} "
                                 f"(known: {', '.join(sorted(conditions)) or 'none'})")
        required.append(RequiredMoment(
            text(document, loc, item, "id"), text(document, loc, item, "label"),
            text(document, loc, item, "rule"), whole_number(document, loc + ("points",), item.get("points")),
            _alternatives(document, loc + ("any",), item.get("any")),
            bool(item.get("first_agent_turn", False)), _kinds(document, loc, item), when,
            _optional_alternatives(document, loc + ("waived_by_caller",),
                                   item.get("waived_by_caller"))))
    return tuple(required)


def _avoid(document: YamlDocument, loc: tuple, value: Any) -> tuple[Avoid, ...]:
    if value is None:
        return ()
    result = []
    for index, item in enumerate(items(document, loc, value, "things to avoid (label, any)")):
        here = loc + (index,)
        item = mapping(document, here, item, "a thing to avoid with 'label' and 'any'")
        result.append(Avoid(text(document, here, item, "label"),
                            _alternatives(document, here + ("any",), item.get("any")),
                            bool(item.get("refusal", False))))
    return tuple(result)


def _conditional(document: YamlDocument, data: dict[str, Any]) -> tuple[ConditionalMoment, ...]:
    value = data.get("conditional")
    if value is None:
        return ()
    result = []
    for loc, item in mappings(document, "conditional", value, "conditional moment"):
        scope = text(document, loc, item, "scope", required=False) or None
        if scope is not None and scope not in SCOPE_TRIGGERS:
            raise document.error(loc + ("scope",),
                                 f"scope must be one of {', '.join(SCOPE_TRIGGERS)}")
        caller_any = _optional_alternatives(document, loc + ("caller_any",), item.get("caller_any"))
        if (scope is None) == (not caller_any):
            raise document.error(loc, "a conditional moment needs exactly one trigger: "
                                 "'caller_any' or 'scope'")
        within = item.get("within")
        result.append(ConditionalMoment(
            text(document, loc, item, "id"), text(document, loc, item, "label"),
            text(document, loc, item, "rule"), whole_number(document, loc + ("points",), item.get("points")),
            _alternatives(document, loc + ("any",), item.get("any")), _kinds(document, loc, item),
            caller_any, scope,
            None if within is None else whole_number(document, loc + ("within",), within, 1),
            _avoid(document, loc + ("avoid",), item.get("avoid")),
            text(document, loc, item, "kind_label", required=False)
            or text(document, loc, item, "label"),
            frozenset(texts(document, loc, item, "accepted_when"))))
    return tuple(result)


def _check_ids_and_kinds(document: YamlDocument, rules: QaRules) -> None:
    """Moment ids are unique, and every `not_required_in` names a kind a call can have."""
    seen: set[str] = set()
    for key, moments in (("required", rules.required), ("conditional", rules.conditional),
                         ("special_calls", rules.special_calls)):
        for index, moment in enumerate(moments):
            if moment.id in seen or moment.id in ("normal", "silent", "forbidden"):
                raise document.error((key, index, "id"), f"id {moment.id!r} is used twice "
                                     "(or is reserved: normal, silent, forbidden)")
            seen.add(moment.id)
    kinds = {"silent", *(c.id for c in rules.special_calls),
             *(m.id for m in rules.conditional if m.scope)}
    for key, moments in (("required", rules.required), ("conditional", rules.conditional)):
        for index, moment in enumerate(moments):  # type: ignore[arg-type]
            unknown = sorted(moment.not_required_in - kinds)
            if unknown:
                raise document.error((key, index, "not_required_in"), f"unknown kind of call "
                                     f"{unknown[0]!r} (known: {', '.join(sorted(kinds))})")
    required = {m.id for m in rules.required}
    for index, conditional in enumerate(rules.conditional):
        unknown = sorted(conditional.accepted_when - required)
        if unknown:
            raise document.error(("conditional", index, "accepted_when"),
                                 f"unknown required moment {unknown[0]!r}")


def load_qa_rules(folder: Path) -> QaRules:
    document = open_document(folder, QA_FILE)
    data = mapping(document, (), document.data, "the QA rules")
    speakers = mapping(document, ("speakers",), data.get("speakers"), "agent and caller names")
    forbidden = mapping(document, ("forbidden",), data.get("forbidden"), "points and rule")
    conditions = _conditions(document, data)
    special = []
    optional = data.get("special_calls")
    for loc, item in mappings(document, "special_calls", optional,
                              "special call (id, label, rule, any)") if optional else []:
        special.append(SpecialCall(text(document, loc, item, "id"), text(document, loc, item, "label"),
                                   text(document, loc, item, "rule"),
                                   _alternatives(document, loc + ("any",), item.get("any"))))
    silent = mapping(document, ("silent_call",), data.get("silent_call"), "the silent-call rule")
    markers = data.get("silence_markers", [])
    if not isinstance(markers, list):
        raise document.error(("silence_markers",), "expected a list of texts")
    base = whole_number(document, ("base",), data.get("base"), 1)
    pass_mark = whole_number(document, ("pass_mark",), data.get("pass_mark", 80))
    if pass_mark > base:
        raise document.error(("pass_mark",), f"pass_mark {pass_mark} is above base {base}")
    rules = QaRules(
        base=base,
        agent_names=tuple(texts(document, ("speakers",), speakers, "agent", required=True)),
        caller_names=tuple(texts(document, ("speakers",), speakers, "caller", required=True)),
        silence_markers=frozenset(unicodedata.normalize("NFKC", str(m)).strip() for m in markers),
        forbidden_points=whole_number(document, ("forbidden", "points"), forbidden.get("points")),
        forbidden_rule=text(document, ("forbidden",), forbidden, "rule"),
        required=_required(document, data, conditions),
        special_calls=tuple(special),
        silent_call=SilentCallRule(
            text(document, ("silent_call",), silent, "rule"),
            whole_number(document, ("silent_call", "points"), silent.get("points")),
            tuple(texts(document, ("silent_call",), silent, "ask", required=True)),
            whole_number(document, ("silent_call", "ask_times"), silent.get("ask_times"), 1),
            tuple(texts(document, ("silent_call",), silent, "close", required=True))),
        pass_mark=pass_mark,
        conditions=conditions,
        conditional=_conditional(document, data),
    )
    _check_ids_and_kinds(document, rules)
    return rules
