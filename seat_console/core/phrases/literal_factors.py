"""Literal factors of a regular expression: strings one of which every match must contain, found
once at load so that a keystroke tries only the alternatives whose factors are in the text."""
from __future__ import annotations

import re
from typing import Any

_FACTOR_LIMIT = 64  # largest set of alternative literals tracked per factor


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

