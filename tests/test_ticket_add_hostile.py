"""`ticket add` checks every field against the ticket contract and never shows a traceback:
oversized text, lone surrogates, huge integers, deep nesting and wrong types are answered with
{"errors": {...}} and exit 2, and nothing is stored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_ticket_cli import run

GOOD = {"phone": "13800000001", "demand": "咨询社保", "request_type": "consult", "channel": "web"}


def _stored(tmp_path: Path) -> int:
    db = tmp_path / "hotline.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM ticket").fetchone()[0]


def _refused(tmp_path: Path, stdin: str) -> dict[str, str]:
    result = run(["add", "--json"], tmp_path, stdin)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr == "", result.stderr[-500:]
    errors = json.loads(result.stdout)["errors"]
    assert errors and all(isinstance(v, str) and v for v in errors.values())
    assert _stored(tmp_path) == 0
    return errors


def test_a_200k_character_course_is_refused_in_chinese(tmp_path: Path) -> None:
    errors = _refused(tmp_path, json.dumps({**GOOD, "details": "经" * 200_000}))
    assert set(errors) == {"details"}
    assert "不能超过 2000 字" in errors["details"]


def test_every_text_field_has_the_contract_limit(tmp_path: Path) -> None:
    errors = _refused(tmp_path, json.dumps({**GOOD, "caller_name": "名" * 31, "address": "址" * 201,
                                             "situation": "况" * 1001, "location": "地" * 201,
                                             "occurred_at": "时" * 41, "external_id": "x" * 101}))
    assert set(errors) == {"caller_name", "address", "situation", "location", "occurred_at",
                           "external_id"}


@pytest.mark.parametrize("stdin, field", [
    ('{"phone": "13800000001", "demand": "\\ud800", "request_type": "consult", "channel": "web"}',
     "demand"),
    ('{"phone": "13800000001", "demand": "a", "request_type": "consult", "channel": "web", '
     '"\\udfff": 1}', "fields"),
    ('{"phone": 9223372036854775808, "demand": "a", "request_type": "consult", "channel": "web"}',
     "phone"),
    ('{"phone": "13800000001", "demand": "a", "request_type": "consult", "channel": "web", '
     '"confidential": 18446744073709551616}', "confidential"),
    ('{"phone": ' + "9" * 5000 + "}", "json"),
    ("[" * 100_000 + "]" * 100_000, "json"),
    ('{"phone": "13800000001", "demand": ' + "[" * 50_000 + "]" * 50_000 + "}", "json"),
    ('{"phone": "13800000001", "demand": {"a": [1]}, "request_type": "consult", "channel": "web"}',
     "demand"),
    ('{"phone": "13800000001", "demand": true, "request_type": "consult", "channel": "web"}',
     "demand"),
    ('{"phone": "13800000001", "demand": 1.5e308, "request_type": "consult", "channel": "web"}',
     "demand"),
    ('{"phone": "13800000001", "demand": "a", "request_type": ["consult"], "channel": "web"}',
     "request_type"),
    ('{"phone": "13800000001", "demand": "a", "request_type": "consult", "channel": "web", '
     '"co_departments": [1, 2]}', "co_departments"),
    ('"just a string"', "ticket"),
], ids=["surrogate", "surrogate-key", "int-2^63", "int-2^64", "5000-digits", "deep-array",
        "deep-value", "object", "bool", "float", "list-code", "list-of-ints", "not-object"])
def test_hostile_input_is_answered_never_a_traceback(tmp_path: Path, stdin: str,
                                                     field: str) -> None:
    assert field in _refused(tmp_path, stdin)


def test_hostile_lines_in_a_batch_do_not_stop_the_good_ones(tmp_path: Path) -> None:
    lines = ['{"demand": "\\ud800"}', "[" * 100_000, json.dumps(GOOD),
             '{"phone": ' + "1" * 5000 + "}"]
    result = run(["add", "--batch"], tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a.get("line") for a in answers] == [1, 2, None, 4]
    assert answers[2]["status"] == "accepted"
    assert _stored(tmp_path) == 1


def test_text_mode_errors_carry_no_control_sequence(tmp_path: Path) -> None:
    result = run(["add"], tmp_path, json.dumps({**GOOD, "\x1b]0;owned\x07\x1b[31m": 1}))
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "␛" in result.stderr  # shown, not run
