"""The checker on adversarial labelled sets written apart from the rules (ticket remarks, SMS
replies, whole agent-channel transcripts, ASR run-ons), scored beside a plain substring baseline
(bench/forbidden_scores.py says which sets were read while the rules were written and which
never were). The floors below are what the rules reach, not the goal: the issue asks F1 ≥ .99
and no false alarm on the untuned sets, which they do not reach yet (see README)."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.forbidden_scores import DEV_SETS, SETS, UNTUNED_SETS, load_rows, ours, score, \
    substring_baseline
from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.forbidden import ForbiddenChecker

OURS = ours()
BASELINE = substring_baseline()


def test_the_adversarial_sets_are_big_and_hard() -> None:
    untuned = [row for name in UNTUNED_SETS for row in load_rows(SETS[name])]
    assert len(untuned) >= 600
    for name in SETS:
        rows = load_rows(SETS[name])
        clean = sum(not row["phrases"] for row in rows)
        assert clean / len(rows) >= 0.4, name  # mostly look-alikes: false alarms are what agents hate
        if name in UNTUNED_SETS:
            sources = Counter(row["source"] for row in rows)
            assert sources["transcript"] >= 30 and sources["asr"] >= 30, sources
            offences = Counter(p for row in rows for p in row["phrases"])  # type: ignore[attr-defined]
            assert len(offences) == 12 and min(offences.values()) >= 8, offences


@pytest.mark.parametrize("name", DEV_SETS)
def test_the_sets_the_rules_were_written_from(name: str) -> None:
    rows = load_rows(SETS[name])
    ours_, baseline = score(rows, OURS), score(rows, BASELINE)
    print(f"{name}: ours {ours_.line()}; substring baseline {baseline.line()}; {ours_.misses}")
    assert ours_.f1 >= 0.96 and ours_.false_alarms <= 0.03 * ours_.clean_rows
    assert ours_.f1 > baseline.f1 + 0.3


@pytest.mark.parametrize("name", UNTUNED_SETS)
def test_untuned_sets_beside_the_baseline(name: str) -> None:
    rows = load_rows(SETS[name])
    ours_, baseline = score(rows, OURS), score(rows, BASELINE)
    print(f"{name}: ours {ours_.line()}; substring baseline {baseline.line()}")  # no rows
    assert ours_.f1 >= 0.97 and ours_.false_alarms <= 0.03 * ours_.clean_rows
    assert baseline.f1 < 0.6 and baseline.false_alarms > 10 * max(1, ours_.false_alarms)


def test_hits_always_point_at_the_text_they_name() -> None:
    checker = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
    for name in SETS.values():
        for row in load_rows(name):
            text = str(row["text"])
            for hit in checker.check(text):
                assert text[hit.start:hit.end] == hit.matched
