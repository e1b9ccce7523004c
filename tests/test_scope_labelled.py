"""Scope and emergency detection against the labelled halves (tests/data/scope_labelled_dev.jsonl
and scope_labelled_test.jsonl), beside the plain substring baseline (the old trigger lists).

Thresholds on each half: scope F1 >= 0.95, no false alarm on look-alike rows (kinds
scope_lookalike, emergency_lookalike and in_scope must give neither a scope nor an emergency),
emergency recall >= 0.98. The rules were tuned on the dev half only; the test half is reported as
figures, never row by row.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.scope_bench import (DEV, LOOKALIKE_KINDS, TEST, Figures, SubstringBaseline,
                               load_rows, ours, score)
from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.scope import CATEGORIES, EMERGENCY_SERVICES, ScopeDetector

F1_AT_LEAST = 0.95
EMERGENCY_RECALL_AT_LEAST = 0.98
# What the rules reach on the test half today (they were never tuned on its rows): a floor so
# that a change cannot make them worse unnoticed, while the targets above are not yet met.
TEST_FLOOR = {"f1": 0.86, "emergency_recall": 0.93, "false_alarms": 9}


@pytest.fixture(scope="module")
def detector() -> ScopeDetector:
    return ScopeDetector.from_folder(SHIPPED_SCRIPTS_PHRASES)


@pytest.mark.parametrize("half", [DEV, TEST], ids=["dev", "test"])
def test_the_half_is_well_formed(half) -> None:  # type: ignore[no-untyped-def]
    """Counts only: a failure names how many rows are malformed, never which."""
    rows = load_rows(half)
    kinds = Counter(str(r["kind"]) for r in rows)
    malformed = sum(
        not (r["scope"] is None or r["scope"] in CATEGORIES)
        or not (r["emergency"] is None or set(r["emergency"]) <= set(EMERGENCY_SERVICES))  # type: ignore[arg-type]
        or (r["kind"] in LOOKALIKE_KINDS and (r["scope"] is not None or r["emergency"] is not None))
        for r in rows)
    count = len(rows)
    del rows
    assert count >= 200 and malformed == 0, f"{count} rows, {malformed} malformed"
    assert all(kinds[k] for k in ("out_of_scope", "emergency", *LOOKALIKE_KINDS)), dict(kinds)


def report(name: str, figures: Figures, baseline: Figures) -> str:
    lines = (figures.line(f"scope rules, {name}"), baseline.line(f"substring baseline, {name}"))
    print("\n" + "\n".join(lines))
    return "; ".join(lines)


def shortfalls(figures: Figures) -> list[str]:
    """The thresholds missed, as text (assertions never show the rows themselves)."""
    missed = []
    if figures.f1 < F1_AT_LEAST:
        missed.append(f"scope F1 {figures.f1:.3f} < {F1_AT_LEAST}")
    if figures.false_alarms:
        missed.append(f"{figures.false_alarms} false alarms on look-alikes")
    if figures.emergency_recall < EMERGENCY_RECALL_AT_LEAST:
        missed.append(f"emergency recall {figures.emergency_recall:.3f} < "
                      f"{EMERGENCY_RECALL_AT_LEAST}")
    return missed


def test_dev_half(detector: ScopeDetector) -> None:
    rows = load_rows(DEV)
    figures = score(rows, ours(detector))
    summary = report("dev", figures, score(rows, SubstringBaseline().judge))
    for text, expected, got in figures.misses:  # dev rows may be shown: they are for tuning
        print(f"  dev miss: {text} expected {expected} got {got}")
    missed = shortfalls(figures)
    assert not missed, f"{missed}: {summary}"


def half_figures(detector: ScopeDetector) -> tuple[Figures, Figures]:
    """Aggregate figures only: the test half is never inspected row by row."""
    rows = load_rows(TEST)
    return (score(rows, ours(detector), keep_misses=False),
            score(rows, SubstringBaseline().judge, keep_misses=False))


def test_test_half_does_not_get_worse(detector: ScopeDetector) -> None:
    figures, baseline = half_figures(detector)
    summary = report("test", figures, baseline)
    worse = []
    if figures.f1 < TEST_FLOOR["f1"]:
        worse.append(f"scope F1 {figures.f1:.3f} < {TEST_FLOOR['f1']}")
    if figures.emergency_recall < TEST_FLOOR["emergency_recall"]:
        worse.append(f"emergency recall {figures.emergency_recall:.3f} < "
                     f"{TEST_FLOOR['emergency_recall']}")
    if figures.false_alarms > TEST_FLOOR["false_alarms"]:
        worse.append(f"{figures.false_alarms} false alarms > {TEST_FLOOR['false_alarms']}")
    if not (figures.f1 > baseline.f1 and figures.false_alarms < baseline.false_alarms):
        worse.append("not better than the substring baseline")
    assert not worse, f"{worse}: {summary}"
