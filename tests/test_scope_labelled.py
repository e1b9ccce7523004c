"""Scope and emergency detection against the labelled sets, beside the plain substring baseline
(the old trigger lists, bench/scope_baseline.yaml) scored in the same run.

- dev, dev2 and dev3 (tests/data/scope_labelled_dev*.jsonl) were read row by row while the
  rules were written: they must meet the targets (scope F1 >= 0.95, no false alarm
  on look-alike rows: kinds scope_lookalike, emergency_lookalike and in_scope give neither a scope
  nor an emergency, emergency recall >= 0.98), and their misses are printed.
- the test half (scope_labelled_test.jsonl) and the holdout (scope_holdout.jsonl) were never read:
  they hold floors at what the rules reach, must beat the baseline, and are reported as aggregate
  figures only (an assertion never shows one of their rows). Whether they meet the targets is an
  expected failure until they do.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from bench.scope_bench import (BEING_TUNED, LOOKALIKE_KINDS, SETS, TUNED, UNSEEN, Figures, SubstringBaseline,
                               load_rows, ours, score)
from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.scope import CATEGORIES, EMERGENCY_SERVICES, ScopeDetector

F1_AT_LEAST = 0.95
EMERGENCY_RECALL_AT_LEAST = 0.98
# What the rules reach on the sets they were never tuned on (2026-12-02, after tuning on dev3
# to dev6: test F1 0.949, emergency recall 1.000, 6 false alarms; holdout F1 0.951, emergency
# recall 0.952, 8 false alarms): floors, so that a change cannot make them worse
# unnoticed (false_alarms is a ceiling).
FLOOR = {
    # dev4 after one round of rules written from it (F1 0.945, emergency recall 0.925, 4 false
    # alarms; before: 0.926, 0.738, 14)
    "dev4": {"f1": 0.94, "emergency_recall": 0.92, "false_alarms": 4},
    # dev5 after one round (F1 0.901, emergency recall 1.000, 1 false alarm; before it was read:
    # 0.771, 0.900, 16)
    "dev5": {"f1": 0.90, "emergency_recall": 0.99, "false_alarms": 1},
    # dev6 after one round (F1 0.930, emergency recall 1.000, 1 false alarm; before it was read:
    # 0.780, 0.900, 12)
    "dev6": {"f1": 0.93, "emergency_recall": 0.99, "false_alarms": 1},
    # dev8 after one round (F1 0.901, emergency recall 0.960, 1 false alarm; before it was read:
    # 0.885, 0.920, 4)
    "dev8": {"f1": 0.90, "emergency_recall": 0.95, "false_alarms": 1},
    # dev9 after one round (F1 0.992, emergency recall 1.000, 0 false alarms; before it was read:
    # 0.940, 0.880, 3)
    "dev9": {"f1": 0.99, "emergency_recall": 0.99, "false_alarms": 0},
    # dev10 (209 rows, 62% look-alikes) after one round (F1 0.926, emergency recall 1.000, 4 false
    # alarms; before it was read: 0.779, 0.962, 16)
    "dev10": {"f1": 0.92, "emergency_recall": 0.99, "false_alarms": 4},
    # dev11 (200 rows in written style: summaries, web forms, the mayor's mailbox, exports) after
    # one round (F1 0.993, emergency recall 1.000, 0 false alarms; before: 0.925, 0.920, 3)
    "dev11": {"f1": 0.99, "emergency_recall": 0.99, "false_alarms": 0},
    "test": {"f1": 0.95, "emergency_recall": 0.99, "false_alarms": 6},
    # dev7 (400 rows, written apart, arrived after the rules of this round were final): scored
    # only, F1 0.890, emergency recall 0.850, 7 false alarms
    "dev7": {"f1": 0.895, "emergency_recall": 0.86, "false_alarms": 6},
    "holdout": {"f1": 0.965, "emergency_recall": 0.95, "false_alarms": 7},
}


@pytest.fixture(scope="module")
def detector() -> ScopeDetector:
    return ScopeDetector.from_folder(SHIPPED_SCRIPTS_PHRASES)


def labelled(name: str) -> Path:
    """The set's path; the holdout is skipped while it has not been added yet, any other set
    missing is a failure."""
    path = SETS[name]
    if name == "holdout" and not os.path.exists(path):
        pytest.skip(f"{path.name} not added yet")
    assert path.exists(), f"labelled set {name} missing: {path}"
    return path


@pytest.mark.parametrize("name", [*TUNED, *BEING_TUNED, *UNSEEN])
def test_the_set_is_well_formed(name: str) -> None:
    """Counts only: a failure names how many rows are malformed, never which."""
    rows = load_rows(labelled(name))
    kinds = Counter(str(r["kind"]) for r in rows)
    malformed = sum(
        not (r["scope"] is None or r["scope"] in CATEGORIES)
        or not (r["emergency"] is None or set(r["emergency"]) <= set(EMERGENCY_SERVICES))  # type: ignore[arg-type]
        or (r["kind"] in LOOKALIKE_KINDS and (r["scope"] is not None or r["emergency"] is not None))
        for r in rows)
    count = len(rows)
    del rows
    assert count >= 100 and malformed == 0, f"{name}: {count} rows, {malformed} malformed"
    assert all(kinds[k] for k in ("out_of_scope", "emergency")), dict(kinds)


def report(name: str, figures: Figures, baseline: Figures) -> str:
    lines = (figures.line(f"scope rules, {name}"), figures.recall_line(f"scope rules, {name}"),
             baseline.line(f"substring baseline, {name}"))
    print("\n" + "\n".join(lines))
    return "; ".join(lines)


def shortfalls(figures: Figures) -> list[str]:
    """The targets missed, as text (assertions never show the rows themselves)."""
    missed = []
    if figures.f1 < F1_AT_LEAST:
        missed.append(f"scope F1 {figures.f1:.3f} < {F1_AT_LEAST}")
    if figures.false_alarms:
        missed.append(f"{figures.false_alarms} false alarms on look-alikes")
    if figures.emergency_recall < EMERGENCY_RECALL_AT_LEAST:
        missed.append(f"emergency recall {figures.emergency_recall:.3f} < "
                      f"{EMERGENCY_RECALL_AT_LEAST}")
    return missed


@pytest.mark.parametrize("name", TUNED)
def test_tuned_set_meets_the_targets(detector: ScopeDetector, name: str) -> None:
    rows = load_rows(labelled(name))
    figures = score(rows, ours(detector))
    summary = report(name, figures, score(rows, SubstringBaseline().judge, keep_misses=False))
    for text, expected, got in figures.misses:  # tuned rows may be shown: they are for tuning
        print(f"  {name} miss: {text} expected {expected} got {got}")
    missed = shortfalls(figures)
    assert not missed, f"{missed}: {summary}"


def unseen_figures(detector: ScopeDetector, name: str) -> tuple[Figures, Figures]:
    """Aggregate figures only: these sets are never inspected row by row."""
    rows = load_rows(labelled(name))
    return (score(rows, ours(detector), keep_misses=False),
            score(rows, SubstringBaseline().judge, keep_misses=False))


@pytest.fixture(scope="module")
def unseen(detector: ScopeDetector) -> dict[str, tuple[Figures, Figures]]:
    """Each unseen set scored once per run (ours, baseline); cached for the two tests below."""
    return {}


def figures_of(unseen: dict[str, tuple[Figures, Figures]], detector: ScopeDetector,
               name: str) -> tuple[Figures, Figures]:
    if name not in unseen:
        unseen[name] = unseen_figures(detector, name)
    return unseen[name]


@pytest.mark.parametrize("name", [*BEING_TUNED, *UNSEEN])
def test_set_short_of_its_targets_holds_its_floor(detector: ScopeDetector, unseen: dict[str, tuple[Figures, Figures]],
                                    name: str) -> None:
    figures, baseline = figures_of(unseen, detector, name)
    summary = report(name, figures, baseline)
    floor = FLOOR[name]
    worse = []
    if figures.f1 < floor["f1"]:
        worse.append(f"scope F1 {figures.f1:.3f} < {floor['f1']}")
    if figures.emergency_recall < floor["emergency_recall"]:
        worse.append(f"emergency recall {figures.emergency_recall:.3f} < "
                     f"{floor['emergency_recall']}")
    if figures.false_alarms > floor["false_alarms"]:
        worse.append(f"{figures.false_alarms} false alarms > {floor['false_alarms']}")
    if not (figures.f1 > baseline.f1 and figures.false_alarms < baseline.false_alarms
            and figures.emergency_recall > baseline.emergency_recall):
        worse.append("not better than the substring baseline")
    assert not worse, f"{name}: {worse}: {summary}"

