"""The shipped drills as a whole: what scenarios may name (the vocabulary), and `drill check`,
which validates every scenario and replays its reference run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_console.core.calls import load_call_outcomes
from seat_console.core.drills.actions import Action, read_actions
from seat_console.core.drills.history import check_history
from seat_console.core.drills.scenario import Scenario, Vocabulary, scenario_paths, load_scenario
from seat_console.core.drills.scoring import DrillScorer, dispositions, scorer_for
from seat_console.core.errors import DataFileError
from seat_console.core.kb.loader import load_kb
from seat_console.core.taxonomy import load_taxonomy
from seat_console.core.ticket_codes import (CHANNELS, EMERGENCY_COMBINATIONS, REQUEST_TYPES,
                                            URGENCIES)
from seat_console.core.tickets import TicketInput

REFERENCE_SHARE = 0.95  # a shipped reference run must reach this share of the points
CODED_FIELDS = ("request_type", "domain", "emergency_service", "urgency", "channel")


def kb_ids(kb_data: Path) -> frozenset[str]:
    """The ids of the KB articles and directory entries in kb_data (JSONL and YAML, read by the
    KB's own loader; check-data reports the records it refuses)."""
    return frozenset(record.id for record in load_kb([kb_data]).records)


@dataclass
class Drills:
    """Everything a drill needs: the scorer and what scenarios may name."""

    scripts_phrases: Path
    scorer: DrillScorer
    vocabulary: Vocabulary

    @classmethod
    def load(cls, scripts_phrases: Path, kb_data: Path) -> Drills:
        reasons = load_call_outcomes(scripts_phrases).reasons
        taxonomy = load_taxonomy(kb_data)
        scorer = scorer_for(scripts_phrases, reasons,
                            {code: leaf.label for code, leaf in taxonomy.by_code.items()})
        coded = {
            "request_type": frozenset(REQUEST_TYPES),
            "domain": frozenset(taxonomy.by_code),
            "emergency_service": frozenset(EMERGENCY_COMBINATIONS),
            "urgency": frozenset(URGENCIES),
            "channel": frozenset(CHANNELS),
        }
        fields = {name: coded.get(name, frozenset()) for name in TicketInput.__dataclass_fields__}
        vocabulary = Vocabulary(scorer.qa.moment_ids(), kb_ids(kb_data), fields,
                                dispositions(reasons))
        return cls(scripts_phrases, scorer, vocabulary)

    def read_run(self, path: Path) -> list[Action]:
        """A run of agent actions, every disposition and form field one the console knows."""
        actions = read_actions(path)
        for action in actions:
            if action.kind == "dispose" and action.value not in self.vocabulary.dispositions:
                raise DataFileError(path, action.line, f"unknown disposition {action.value!r} "
                                    f"({', '.join(sorted(self.vocabulary.dispositions))})")
            if action.kind == "fill":
                unknown = sorted(set(action.value) - set(self.vocabulary.field_values))
                if unknown:
                    raise DataFileError(path, action.line, f"unknown form field {unknown[0]!r}")
        return actions

    def scenarios(self) -> list[Scenario]:
        return [load_scenario(path, self.vocabulary) for path in scenario_paths(self.scripts_phrases)]


@dataclass(frozen=True)
class CheckResult:
    scenario: str
    path: Path
    problem: str  # "" when the scenario and its reference run are sound
    reference_percent: float | None = None


def check_drills(drills: Drills) -> list[CheckResult]:
    """Every scenario file: does it load, and does its reference run reach REFERENCE_SHARE?"""
    results = []
    paths = scenario_paths(drills.scripts_phrases)
    if not paths:
        folder = drills.scripts_phrases / "drills"
        return [CheckResult("", folder, f"{folder}: no drill scenarios (*.yaml)")]
    for path in paths:
        try:
            scenario = load_scenario(path, drills.vocabulary)
            check_history(scenario)
        except DataFileError as exc:
            results.append(CheckResult(path.stem, path, str(exc)))
            continue
        reference = scenario.reference_path
        if not reference.exists():
            results.append(CheckResult(scenario.id, path, f"{reference}: reference run missing"))
            continue
        try:
            score = drills.scorer.score(scenario, drills.read_run(reference))
        except DataFileError as exc:
            results.append(CheckResult(scenario.id, path, str(exc)))
            continue
        problem = ""
        if score.max and score.score < REFERENCE_SHARE * score.max:
            lost = "; ".join(f"{i.rule} -{i.lost:g} ({i.why})" for i in score.items if i.lost)
            problem = (f"{reference}: the reference run scores {score.score:g} of {score.max:g}, "
                       f"below {REFERENCE_SHARE:.0%}: {lost}")
        results.append(CheckResult(scenario.id, path, problem, score.percent))
    return results
