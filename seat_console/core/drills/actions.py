"""The agent's actions in a drill, as JSON Lines with seconds since the call began:
{"t": 3.5, "say": "您好,…"}, {"t": 12, "fill": {"caller_name": "王女士"}}, {"t": 40, "kb": "ID"},
{"t": 55, "dispose": "direct_answer"}, {"t": 60, "submit": true}, and {"t": 50, "typing_cpm": 72}
(the typing speed the console measured). The console writes a drill run in the same form, so
that a run in the console and its replay score the same."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError

KINDS = ("say", "fill", "kb", "dispose", "submit", "typing_cpm")


@dataclass(frozen=True)
class Action:
    t: float
    kind: str  # one of KINDS
    value: Any  # str (say, kb, dispose), dict (fill), True (submit), int (typing_cpm)
    line: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"t": self.t, self.kind: self.value}


def parse_action(path: Path | str, number: int | None, data: Any) -> Action:
    def fail(message: str) -> DataFileError:
        return DataFileError(path, number, message)

    if not isinstance(data, dict):
        raise fail("an action is a JSON object such as {\"t\": 3.5, \"say\": \"…\"}")
    t = data.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or t < 0:
        raise fail("'t' must be the seconds since the call began (a number >= 0)")
    kinds = [k for k in KINDS if k in data]
    extra = set(data) - set(KINDS) - {"t"}
    if len(kinds) != 1 or extra:
        raise fail(f"an action has 't' and exactly one of {', '.join(KINDS)}")
    kind, value = kinds[0], data[kinds[0]]
    if kind in ("say", "kb", "dispose") and not isinstance(value, str):
        raise fail(f"'{kind}' must be a string")
    if kind in ("kb", "dispose") and not value.strip():
        raise fail(f"'{kind}' must not be empty")
    if kind == "fill" and not (isinstance(value, dict) and value and all(
            isinstance(k, str) and isinstance(v, (str, bool)) for k, v in value.items())):
        raise fail("'fill' maps form fields to text (or true/false)")
    if kind == "submit" and value is not True:
        raise fail("'submit' must be true")
    if kind == "typing_cpm" and (isinstance(value, bool) or not isinstance(value, int)
                                 or value < 0):
        raise fail("'typing_cpm' must be a whole number of characters a minute")
    return Action(float(t), kind, value, number)


def parse_actions(path: Path | str, content: str) -> list[Action]:
    actions = []
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataFileError(path, number, f"not JSON: {exc.msg}") from None
        actions.append(parse_action(path, number, data))
    return sorted(actions, key=lambda a: a.t)  # stable: same-time actions keep their order


def read_actions(path: Path) -> list[Action]:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, None, f"cannot read agent actions: {exc}") from None
    return parse_actions(path, content)


def actions_jsonl(actions: list[Action]) -> str:
    return "".join(json.dumps(a.as_json(), ensure_ascii=False) + "\n" for a in actions)
