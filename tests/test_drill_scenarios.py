"""Every shipped drill scenario: its reference run (a perfect handling) replays to at least 95%
of the points, and the same run with one mistake loses exactly the points of the rule that
mistake breaks, nothing more: a 禁语 said, a required field left empty, the 诉求 recorded after
90 s. The scoring is the console's (core/drills/scoring.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES
from seat_console.core.drills.actions import Action, read_actions
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.scenario import Scenario, scenario_paths
from seat_console.core.drills.scoring import DrillScore, load_points

DRILLS = Drills.load(SHIPPED_SCRIPTS_PHRASES, SHIPPED_KB_DATA)
POINTS = load_points(SHIPPED_SCRIPTS_PHRASES)
SCENARIOS = {s.id: s for s in DRILLS.scenarios()}
TICKET_SCENARIOS = [s for s in SCENARIOS if SCENARIOS[s].expect.ticket]


def points_of(scenario: Scenario, rule: str) -> float:
    return {**POINTS, **scenario.points}[rule]


def reference(scenario: Scenario) -> list[Action]:
    return read_actions(scenario.reference_path)


def lost_by_rule(score: DrillScore) -> dict[str, float]:
    return {item.rule: item.lost for item in score.items if item.lost}


def test_enough_scenarios_ship_for_every_situation_agents_meet() -> None:
    assert len(scenario_paths(SHIPPED_SCRIPTS_PHRASES)) >= 12
    dispositions = {s.expect.disposition for s in SCENARIOS.values()}
    assert {"direct_answer", "transfer", "rejected", "emergency", "urge", "status_inquiry",
            "silent", "harassment"} <= dispositions


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_the_reference_run_reaches_95_percent(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    score = DRILLS.scorer.score(scenario, reference(scenario))
    assert score.score >= 0.95 * score.max, lost_by_rule(score)


def _with_last_say(actions: list[Action], extra: str) -> list[Action]:
    last = max(i for i, a in enumerate(actions) if a.kind == "say")
    return [replace(a, value=a.value + extra) if i == last else a for i, a in enumerate(actions)]


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_a_forbidden_phrase_said_loses_exactly_its_points(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    perfect = DRILLS.scorer.score(scenario, reference(scenario))
    spoiled = DRILLS.scorer.score(scenario, _with_last_say(reference(scenario), "这个我不知道。"))
    assert lost_by_rule(spoiled) == {**lost_by_rule(perfect),
                                     "forbidden": points_of(scenario, "forbidden_each")}
    assert perfect.score - spoiled.score == points_of(scenario, "forbidden_each")


@pytest.mark.parametrize("scenario_id", sorted(TICKET_SCENARIOS))
def test_a_required_field_left_empty_loses_exactly_its_points(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    assert "caller_name" not in scenario.expect.fields  # checked by the form's rule only
    actions = [replace(a, value={**a.value, "caller_name": ""}) if a.kind == "fill"
               and "caller_name" in a.value else a for a in reference(scenario)]
    perfect = DRILLS.scorer.score(scenario, reference(scenario))
    spoiled = DRILLS.scorer.score(scenario, actions)
    assert lost_by_rule(spoiled) == {**lost_by_rule(perfect),
                                     "required_fields": points_of(scenario, "required_each")}


@pytest.mark.parametrize("scenario_id", sorted(TICKET_SCENARIOS))
def test_the_matter_recorded_after_90_seconds_loses_exactly_its_points(scenario_id: str) -> None:
    """The agent is slower from the moment the 诉求 is typed: that action and every later one
    come later, so that the 诉求 is recorded at 90 s."""
    scenario = SCENARIOS[scenario_id]
    actions = reference(scenario)
    first = next(i for i, a in enumerate(actions) if a.kind == "fill"
                 and str(a.value.get("content", "")).strip())
    delay = 90 - actions[first].t
    late = actions[:first] + [replace(a, t=a.t + delay) for a in actions[first:]]
    perfect = DRILLS.scorer.score(scenario, actions)
    spoiled = DRILLS.scorer.score(scenario, late)
    assert lost_by_rule(spoiled) == {**lost_by_rule(perfect),
                                     "record_within": points_of(scenario, "record_within")}
