"""The checker against a labelled set of sentences (tests/data/forbidden_labelled.jsonl):
offences, disguised offences, look-alikes, quoted caller words and clean sentences."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.forbidden import ForbiddenChecker

LABELLED = Path(__file__).parent / "data" / "forbidden_labelled.jsonl"


def load() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line]


def test_the_labelled_set_is_big_and_has_enough_look_alikes() -> None:
    rows = load()
    assert len(rows) >= 200
    clean = [r for r in rows if not r["phrases"] and r["kind"] in ("lookalike", "quoted")]
    assert len(clean) / len(rows) >= 0.40


def test_checker_f1_on_the_labelled_set() -> None:
    checker = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
    true_positive = false_positive = false_negative = 0
    misses = []
    for row in load():
        expected = Counter(row["phrases"])  # type: ignore[arg-type]
        got = Counter(hit.phrase for hit in checker.check(str(row["text"])))
        true_positive += sum((expected & got).values())
        false_positive += sum((got - expected).values())
        false_negative += sum((expected - got).values())
        if expected != got:
            misses.append((row["text"], dict(expected), dict(got)))
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}; disagreements: {misses}")
    assert f1 >= 0.98, misses
