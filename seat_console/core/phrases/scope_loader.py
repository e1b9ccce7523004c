"""Loading and validation of scope.yaml (with the places of gazetteer.yaml) into ScopeRules:
`{{name}}` fragments of `define:`, cues, scope rules, emergency events and the out-of-province
settings. A malformed pattern, an unknown category, cue, fragment or service, or a duplicated key
is a DataFileError naming the file and the line."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from seat_console.core.phrases.catalog import PLACEHOLDERS, placeholders_in
from seat_console.core.phrases.data_file import (items, mapping, mappings, open_document, text,
                                                unique)
from seat_console.core.phrases.gazetteer import load_gazetteer
from seat_console.core.phrases.out_of_province import KEYS, OutOfProvince
from seat_console.core.phrases.scope_data import no_duplicate_keys
from seat_console.core.phrases.scope_rules import (CATEGORIES, CUE_PLACES, Cue, EmergencyEvent,
                                                   NotAccepted, ScopeRule,
                                                   ScopeRules)
from seat_console.core.ticket_codes import EMERGENCY_SERVICES
from seat_console.core.yaml_source import YamlDocument

SCOPE_FILE = "scope.yaml"
_MACRO = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_REGEX_SYNTAX = set("()[]{}|?*+\\^$")  # never in a plain word of a list


def _checked_template(document: YamlDocument, loc: tuple[Any, ...], value: str) -> str:
    try:
        unknown = [n for n in placeholders_in(value) if n not in PLACEHOLDERS]
    except ValueError as exc:
        raise document.error(loc, f"bad placeholder syntax: {exc}") from None
    if unknown:
        raise document.error(loc, f"unknown placeholder {{{unknown[0]}}}")
    return value



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


def load_scope(folder: Path) -> ScopeRules:
    document = open_document(folder, SCOPE_FILE)
    no_duplicate_keys(document)
    data = mapping(document, (), document.data, "the scope rules")
    accepted = items(document, ("accepted",), data.get("accepted"), "accepted categories")
    breaks = text(document, (), data, "clause_breaks")
    sentence_breaks = text(document, (), data, "sentence_breaks")
    fragments = _fragments(document, data)

    categories, seen = [], set()
    for loc, item in mappings(document, "categories", data.get("categories"),
                              "non-accepted category (id, label, reply)"):
        category = unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
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
        cue_id = unique(document, loc + ("id",), text(document, loc, item, "id"), set(cues))
        cues[cue_id] = _cue(document, loc, item, fragments, cue_id)

    rules, seen = [], set()
    for loc, item in mappings(document, "rules", data.get("rules"),
                              "scope rule (id, category, pattern, unless)"):
        rule_id = unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
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
        event_id = unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
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
                      ", ".join(f"'{key}'" for key in KEYS))
    out_of_province = OutOfProvince(*(
        _regex(document, loc + (key,), text(document, loc, outside, key), fragments)
        for key in KEYS))
    return ScopeRules([str(a) for a in accepted], categories, rules, events, cancel, services,
                      script, breaks, sentence_breaks, load_gazetteer(folder), out_of_province,
                      fragments)

