"""scripts_phrases/indicators.yaml: each indicator's definition as data, validated with errors
naming the file and the line.

An indicator is numerator ÷ denominator (× scale). Each side counts the records of one record
set (`records`), or sums a whitelisted field over them (`sum`), restricted by `where` (field:
condition, all must hold) and `any` (a list of such mappings, one must hold). A count
indicator has no denominator; one of `points: 0` is shown but not scored. Record sets and
fields are those of records.py; the file never holds SQL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seat_console.core.phrases.data_file import mapping, mappings, open_document, text
from seat_console.core.stats.records import CODE, FLAG, NUMBER, RECORD_SETS, STAMP
from seat_console.core.yaml_source import YamlDocument

INDICATORS_FILE = "indicators.yaml"
UNITS = ("percent", "seconds", "count", "per_100", "cpm")
BETTER = ("higher", "lower")
_INDICATOR_KEYS = {"code", "name", "unit", "numerator", "denominator", "scale", "reference",
                   "points", "better", "note"}
_SIDE_KEYS = {"records", "sum", "where", "any"}
_NUMBER_OPS = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}


@dataclass(frozen=True)
class Condition:
    """One test on a whitelisted field: op is in / not_in / flag / present / a comparison."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Side:
    records: str
    sum: str | None
    where: tuple[Condition, ...]
    any: tuple[tuple[Condition, ...], ...]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    numerator: Side
    denominator: Side | None
    scale: float
    reference: float
    points: float
    better: str
    note: str = ""


def _number(document: YamlDocument, loc: tuple[Any, ...], value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise document.error(loc, f"'{what}' must be a number >= 0, got {value!r}")
    return float(value)


def _condition(document: YamlDocument, loc: tuple[Any, ...], records: str, name: Any,
               spec: Any) -> Condition:
    fields = RECORD_SETS[records].fields
    if name not in fields:
        raise document.error(loc, f"unknown field {name!r} of {records} (known: "
                             f"{', '.join(sorted(fields))})")
    kind = fields[name].kind
    if kind == FLAG:
        if not isinstance(spec, bool):
            raise document.error(loc, f"'{name}' takes true or false")
        return Condition(name, "flag", spec)
    if kind == STAMP:
        if not isinstance(spec, dict) or set(spec) != {"present"} or \
                not isinstance(spec["present"], bool):
            raise document.error(loc, f"'{name}' takes {{present: true|false}}")
        return Condition(name, "present", spec["present"])
    if kind == CODE:
        op = "in"
        if isinstance(spec, dict) and set(spec) == {"not"}:
            op, spec = "not_in", spec["not"]
        values = spec if isinstance(spec, list) else [spec]
        if not values or not all(isinstance(v, str) for v in values):
            raise document.error(loc, f"'{name}' takes a code, a list of codes or "
                                 "{not: codes}")
        known = fields[name].values
        unknown_codes = [v for v in values if known is not None and v not in known]
        if unknown_codes:
            raise document.error(loc, f"unknown code {unknown_codes[0]!r} of '{name}' (known: "
                                 f"{', '.join(repr(v) for v in known or ())})")
        return Condition(name, op, tuple(values))
    assert kind == NUMBER
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in _NUMBER_OPS:
        raise document.error(loc, f"'{name}' takes one of {{{', '.join(_NUMBER_OPS)}: N}}")
    op, value = next(iter(spec.items()))
    return Condition(name, op, _number(document, loc, value, op))


def _conditions(document: YamlDocument, loc: tuple[Any, ...], records: str,
                value: Any) -> tuple[Condition, ...]:
    if value is None:
        return ()
    tests = mapping(document, loc, value, "field: condition")
    return tuple(_condition(document, loc + (name,), records, name, spec)
                 for name, spec in tests.items())


def _side(document: YamlDocument, loc: tuple[Any, ...], value: Any) -> Side:
    side = mapping(document, loc, value, "records, sum, where, any")
    unknown = sorted(set(side) - _SIDE_KEYS)
    if unknown:
        raise document.error(loc + (unknown[0],), f"unknown key '{unknown[0]}' "
                             f"(expected {', '.join(sorted(_SIDE_KEYS))})")
    records = text(document, loc, side, "records")
    if records not in RECORD_SETS:
        raise document.error(loc + ("records",), f"unknown record set {records!r} (known: "
                             f"{', '.join(RECORD_SETS)})")
    summed = side.get("sum")
    if summed is not None:
        field = RECORD_SETS[records].fields.get(summed)
        if field is None or not field.summable:
            raise document.error(loc + ("sum",), f"{summed!r} is not a summable field of "
                                 f"{records}")
    alternatives = side.get("any")
    if alternatives is not None and (not isinstance(alternatives, list) or not alternatives):
        raise document.error(loc + ("any",), "'any' must be a non-empty list of mappings")
    return Side(records, summed, _conditions(document, loc + ("where",), records,
                                             side.get("where")),
                tuple(_conditions(document, loc + ("any", i), records, alt)
                      for i, alt in enumerate(alternatives or [])))


def _indicator(document: YamlDocument, loc: tuple[Any, ...], item: dict[str, Any]) -> Indicator:
    unknown = sorted(set(item) - _INDICATOR_KEYS)
    if unknown:
        raise document.error(loc + (unknown[0],), f"unknown key '{unknown[0]}'")
    unit = text(document, loc, item, "unit")
    if unit not in UNITS:
        raise document.error(loc + ("unit",), f"unit must be one of {', '.join(UNITS)}")
    better = text(document, loc, item, "better")
    if better not in BETTER:
        raise document.error(loc + ("better",), "better must be higher or lower")
    if "numerator" not in item:
        raise document.error(loc, "missing 'numerator'")
    denominator = item.get("denominator")
    if denominator is None and unit != "count":
        raise document.error(loc, "only a count indicator may have no denominator")
    for key in ("reference", "points"):
        if key not in item:
            raise document.error(loc, f"missing '{key}'")
    reference = _number(document, loc + ("reference",), item["reference"], "reference")
    if reference == 0:
        raise document.error(loc + ("reference",), "'reference' must not be 0")
    return Indicator(
        text(document, loc, item, "code"), text(document, loc, item, "name"), unit,
        _side(document, loc + ("numerator",), item["numerator"]),
        None if denominator is None else _side(document, loc + ("denominator",), denominator),
        _number(document, loc + ("scale",), item.get("scale", 1), "scale"),
        reference, _number(document, loc + ("points",), item["points"], "points"), better,
        text(document, loc, item, "note", required=False))


def load_indicators(folder: Path) -> tuple[Indicator, ...]:
    """The indicators of `folder`/indicators.yaml, in file order (DataFileError: file:line)."""
    document = open_document(folder, INDICATORS_FILE)
    data = mapping(document, (), document.data, "the indicators")
    found: list[Indicator] = []
    for loc, item in mappings(document, "indicators", data.get("indicators"), "indicator"):
        indicator = _indicator(document, loc, item)
        if any(i.code == indicator.code for i in found):
            raise document.error(loc + ("code",), f"duplicate code '{indicator.code}'")
        found.append(indicator)
    return tuple(found)
