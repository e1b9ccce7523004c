"""Masking of confidential tickets against what callers really say: the cases in
tests/data/masking_cases.jsonl (used while writing the masker) and masking_holdout.jsonl
(written before the masker and never tuned on), through ticket_view.masked like every view."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from seat_console.core.models import Ticket
from seat_console.core.ticket_view import masked

DATA = Path(__file__).parent / "data"
SEPARATORS = re.compile(r"[\s\-()+]")
BASE = {"number": "210102-20261125-0001", "site_code": "210102", "status": "accepted",
        "request_type": "complaint", "caller_name": "赵先生", "caller_phone": "13800000000",
        "caller_address": "沈阳市和平区南京街1号", "content": "", "agent_id": "8001",
        "created_at": "2026-11-25T10:00:00.000+08:00",
        "updated_at": "2026-11-25T10:00:00.000+08:00"}


def _cases(name: str) -> list[dict[str, Any]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _check(case: dict[str, Any]) -> None:
    ticket = Ticket(**{**BASE, **case["ticket"], "confidential": True})
    shown = masked(ticket)[case["field"]]
    for secret in case.get("absent", []):
        assert secret not in shown, (case["id"], shown)
    for digits in case.get("absent_digits", []):
        assert digits not in SEPARATORS.sub("", shown), (case["id"], shown)
    for kept in case.get("present", []):
        assert kept in shown, (case["id"], shown)
    assert masked(ticket.model_copy(update={"confidential": False}))[case["field"]] == \
        getattr(ticket, case["field"]), "an open ticket is shown as it is"


def test_there_are_enough_cases_in_both_halves() -> None:
    tuning, holdout = _cases("masking_cases.jsonl"), _cases("masking_holdout.jsonl")
    assert len(tuning) + len(holdout) >= 30 and len(holdout) >= 15
    assert not {c["id"] for c in tuning} & {c["id"] for c in holdout}


@pytest.mark.parametrize("case", _cases("masking_cases.jsonl"), ids=lambda c: c["id"])
def test_tuning_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", _cases("masking_holdout.jsonl"), ids=lambda c: c["id"])
def test_holdout_case(case: dict[str, Any]) -> None:
    _check(case)
