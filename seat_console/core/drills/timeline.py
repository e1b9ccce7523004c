"""When the scripted caller says each line, given what the agent has said so far; and the whole
call as transcript turns for the QA engine. The console asks the same questions live."""

from __future__ import annotations

from dataclasses import dataclass

from seat_console.core.drills.actions import Action
from seat_console.core.drills.scenario import CallerLine, Scenario
from seat_console.core.phrases.transcript_qa import TranscriptQa, Turn


@dataclass(frozen=True)
class Utterance:
    t: float
    role: str  # "agent" or "caller"
    text: str
    order: int  # ties at the same second: agent lines before the caller lines they trigger


def caller_times(scenario: Scenario, says: list[tuple[float, str]], qa: TranscriptQa,
                 until: float = float("inf")) -> dict[str, float]:
    """Line id -> when the caller says it, for every line whose trigger has fired by `until`.
    `says`: (t, text) of the agent's lines so far, in time order."""
    times: dict[str, float] = {}
    pending = list(scenario.lines)
    while pending:
        fired = [(line, t) for line in pending if (t := _fires(line, says, times, qa)) is not None
                 and t <= until]
        if not fired:
            break
        for line, t in fired:
            times[line.id] = t
        pending = [line for line in pending if line.id not in times]
    return times


def _fires(line: CallerLine, says: list[tuple[float, str]], times: dict[str, float],
           qa: TranscriptQa) -> float | None:
    if line.trigger == "at":
        return float(line.value) + line.delay
    if line.trigger == "after":
        earlier = times.get(str(line.value))
        return None if earlier is None else earlier + line.delay
    said = next((t for t, text in says if qa.says_moment(text, str(line.value))), None)
    return None if said is None else said + line.delay


def conversation(scenario: Scenario, actions: list[Action], qa: TranscriptQa,
                 end: float | None = None) -> list[Utterance]:
    """Everything said, in order: the agent's lines among `actions` (those of the call, up to
    its end) and the caller's lines due by `end` (None: the call did not end)."""
    says = [(a.t, str(a.value)) for a in actions if a.kind == "say"]
    utterances = [Utterance(t, "agent", text, 2 * n) for n, (t, text) in enumerate(says)]
    times = caller_times(scenario, says, qa, end if end is not None else float("inf"))
    for n, line in enumerate(scenario.lines):
        if line.id in times:
            utterances.append(Utterance(times[line.id], "caller", line.say, 2 * n + 1))
    return sorted(utterances, key=lambda u: (u.t, u.role == "caller", u.order))


def as_turns(utterances: list[Utterance]) -> list[Turn]:
    """The conversation as the QA engine reads a transcript (one turn a line, numbered)."""
    return [Turn(u.role, number, [(number, u.text)])
            for number, u in enumerate(utterances, start=1)]
