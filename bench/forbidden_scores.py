"""Scores of the forbidden-phrase checker on labelled sets, beside a plain substring baseline.

A labelled row is `{"text", "phrases": [canonical phrase per offence], "kind", "source"}`.
Counts are per occurrence: a phrase expected twice and found once is one miss. A false alarm on
clean text is a row labelled with no offence on which the checker reports anything.

Sets (tests/data/), each written by someone who never saw the rules:
- forbidden_labelled.jsonl (the first set) and the thirteen dev sets (forbidden_adversarial_dev,
  _dev2 … _dev13): read row by row while the rules were written (each scored before it was read:
  dev5 F1 .939, dev6 .942, dev7 .907, dev8 .916, dev9 .955, dev10 .939, dev11 .942, dev12 .886, dev13 .839);
- forbidden_adversarial_test.jsonl (the test half): never read row by row; its aggregate
  figures, per kind and per rule, were looked at while the rules were being written;
- forbidden_holdout.jsonl: never read and never looked at before the rules were final; its
  figures are the honest ones.
"""

from __future__ import annotations

import json
import timeit
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core.phrases.forbidden import ForbiddenChecker, load_forbidden

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {"first set": "forbidden_labelled.jsonl", "dev": "forbidden_adversarial_dev.jsonl",
        "dev2": "forbidden_adversarial_dev2.jsonl", "dev3": "forbidden_adversarial_dev3.jsonl",
        "dev4": "forbidden_adversarial_dev4.jsonl", "dev5": "forbidden_adversarial_dev5.jsonl",
        "dev6": "forbidden_adversarial_dev6.jsonl", "dev7": "forbidden_adversarial_dev7.jsonl",
        "dev8": "forbidden_adversarial_dev8.jsonl", "dev9": "forbidden_adversarial_dev9.jsonl",
        "dev10": "forbidden_adversarial_dev10.jsonl", "dev11": "forbidden_adversarial_dev11.jsonl",
        "dev12": "forbidden_adversarial_dev12.jsonl", "dev13": "forbidden_adversarial_dev13.jsonl",
        "test half": "forbidden_adversarial_test.jsonl", "holdout": "forbidden_holdout.jsonl"}
DEV_SETS = ("first set", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9",
            "dev10", "dev11", "dev12", "dev13")
UNTUNED_SETS = ("test half", "holdout")
Finder = Callable[[str], list[str]]


@dataclass
class Scores:
    rows: int = 0
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    clean_rows: int = 0
    false_alarms: int = 0  # clean rows with any hit
    misses: list[tuple[str, dict[str, int], dict[str, int]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f}, false alarms on "
                f"clean text {self.false_alarms}/{self.clean_rows}")


def load_rows(name: str) -> list[dict[str, object]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def score(rows: list[dict[str, object]], finder: Finder) -> Scores:
    scores = Scores()
    for row in rows:
        expected = Counter(row["phrases"])  # type: ignore[arg-type]
        got = Counter(finder(str(row["text"])))
        scores.rows += 1
        scores.true_positive += sum((expected & got).values())
        scores.false_positive += sum((got - expected).values())
        scores.false_negative += sum((expected - got).values())
        if not expected:
            scores.clean_rows += 1
            scores.false_alarms += bool(got)
        if expected != got:
            scores.misses.append((str(row["text"]), dict(expected), dict(got)))
    return scores


def ours() -> Finder:
    checker = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
    return lambda text: [hit.phrase for hit in checker.check(text)]


def substring_baseline() -> Finder:
    """What a plain list check does: each written form of the 12 phrases, as a substring."""
    forms = [(written, phrase.phrase) for phrase in load_forbidden(SHIPPED_SCRIPTS_PHRASES).phrases
             for written in (phrase.phrase, *phrase.variants)]
    forms.sort(key=lambda form: -len(form[0]))

    def find(text: str) -> list[str]:
        found = []
        for written, phrase in forms:
            count = text.count(written)
            if count:
                found += [phrase] * count
                text = text.replace(written, "\x00")
        return found
    return find


def main() -> None:
    finders = {"ours": ours(), "substring baseline": substring_baseline()}
    for set_name, file_name in SETS.items():
        rows = load_rows(file_name)
        for finder_name, finder in finders.items():
            print(f"forbidden phrases, {set_name} ({len(rows)} rows), {finder_name:<18} "
                  f"{score(rows, finder).line()}")
    checker = ForbiddenChecker.from_folder(SHIPPED_SCRIPTS_PHRASES)
    transcripts = [r for r in load_rows(SETS["holdout"]) if r.get("source") == "transcript"]
    if transcripts:
        text = "".join(str(r["text"]) for r in transcripts)[:500]
        runs = 5_000
        seconds = min(timeit.repeat(lambda: checker.check(text), number=runs, repeat=3))
        print(f"forbidden check, real transcripts        {seconds / runs * 1e6:7.1f} µs per 500 chars")


if __name__ == "__main__":
    main()
