"""The trainer's report of drill results (`seat-console drill report`, the console's drill
report screen): per trainee, per scenario the attempts over time with the first, last and best
percent; the overall average; the weakest rules; the average per day; and a small text chart
of the progress made of Unicode block characters.

Pure functions over DrillResult rows (read with `results()` of core/drills/results.py)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.drills.results import DrillResult, results

WEAKEST_COUNT = 5
TREND_ATTEMPTS = 10  # the latest attempts in a scenario's sparkline
BLOCKS = " ▁▂▃▄▅▆▇█"  # eighths of one character cell, bottom up
CHART_HEIGHT = 8  # rows of the chart, 12.5 percent each


@dataclass(frozen=True)
class Attempt:
    finished_at: str
    percent: float
    scenario_id: str

    @property
    def day(self) -> str:
        """The China date of the attempt, '2026-11-25'."""
        return clock.parse_iso(self.finished_at).astimezone(clock.CHINA_TZ).date().isoformat()

    def as_json(self) -> dict[str, Any]:
        return {"finished_at": self.finished_at, "percent": self.percent}


@dataclass(frozen=True)
class ScenarioProgress:
    scenario_id: str
    title: str  # as of the last attempt
    attempts: tuple[Attempt, ...]  # oldest first, never empty

    @property
    def first(self) -> float:
        return self.attempts[0].percent

    @property
    def last(self) -> float:
        return self.attempts[-1].percent

    @property
    def best(self) -> float:
        return max(a.percent for a in self.attempts)

    @property
    def change(self) -> float:
        """Points of percent gained from the first attempt to the last (negative: lost)."""
        return round(self.last - self.first, 1)

    @property
    def trend(self) -> str:
        """A sparkline of the latest TREND_ATTEMPTS attempts."""
        return sparkline([a.percent for a in self.attempts[-TREND_ATTEMPTS:]])

    def as_json(self) -> dict[str, Any]:
        return {"scenario_id": self.scenario_id, "title": self.title,
                "attempts": len(self.attempts), "first": self.first, "last": self.last,
                "best": self.best, "change": self.change,
                "series": [a.as_json() for a in self.attempts]}


@dataclass(frozen=True)
class WeakRule:
    """One scoring rule over all attempts of a trainee: the points it was worth in total and
    the points lost on it; `times_lost` of `times_scored` attempts lost some."""

    rule: str
    label: str  # as of the last attempt that scored it
    lost: float
    points: float
    times_lost: int
    times_scored: int

    @property
    def share(self) -> float:
        """The share of its points lost, 0..1."""
        return self.lost / self.points if self.points else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "label": self.label, "lost": self.lost,
                "points": self.points, "times_lost": self.times_lost,
                "times_scored": self.times_scored, "share": round(self.share, 3)}


@dataclass(frozen=True)
class DayAverage:
    day: str  # '2026-11-25', China date
    average: float
    attempts: int

    def as_json(self) -> dict[str, Any]:
        return {"day": self.day, "average": self.average, "attempts": self.attempts}


@dataclass(frozen=True)
class TraineeReport:
    trainee_id: str
    scenarios: tuple[ScenarioProgress, ...]  # by scenario id
    series: tuple[Attempt, ...]  # every attempt, oldest first
    weakest: tuple[WeakRule, ...]  # worst first, at most WEAKEST_COUNT
    days: tuple[DayAverage, ...]  # oldest first

    @property
    def attempts(self) -> int:
        return len(self.series)

    @property
    def average(self) -> float:
        return _mean(a.percent for a in self.series)

    def as_json(self) -> dict[str, Any]:
        return {"trainee_id": self.trainee_id, "attempts": self.attempts,
                "average": self.average,
                "scenarios": [s.as_json() for s in self.scenarios],
                "weakest_rules": [w.as_json() for w in self.weakest],
                "days": [d.as_json() for d in self.days]}


def _mean(values: Iterable[float]) -> float:
    listed = list(values)
    return round(sum(listed) / len(listed), 1) if listed else 0.0


def _in_time_order(rows: Iterable[DrillResult]) -> list[DrillResult]:
    return sorted(rows, key=lambda r: (clock.parse_iso(r.finished_at), r.id))


def _rule_key(item: dict[str, Any]) -> tuple[str, str]:
    """What counts as the same rule across attempts: the rule id, except a scenario's own key
    facts (facts.1, facts.2 … mean other words in each scenario), which also need the label."""
    rule = str(item.get("rule", ""))
    return (rule, str(item.get("label", ""))) if rule.startswith("facts.") else (rule, "")


def weakest_rules(rows: Sequence[DrillResult], count: int = WEAKEST_COUNT) -> list[WeakRule]:
    """Rules ordered by the share of their points lost over all `rows`, then by the points
    lost and how often; rules never lost (or worth nothing) are left out."""
    lost: dict[tuple[str, str], float] = defaultdict(float)
    points: dict[tuple[str, str], float] = defaultdict(float)
    times_lost: dict[tuple[str, str], int] = defaultdict(int)
    times_scored: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[tuple[str, str], str] = {}
    for row in _in_time_order(rows):
        for item in row.items:
            worth = float(item.get("points") or 0)
            if worth <= 0:
                continue  # not scored this time (e.g. typing speed not measured)
            key = _rule_key(item)
            taken = min(worth, float(item.get("lost") or 0))
            points[key] += worth
            lost[key] += taken
            times_scored[key] += 1
            times_lost[key] += 1 if taken > 0 else 0
            labels[key] = str(item.get("label") or key[0])
    weak = [WeakRule(key[0], labels[key], round(lost[key], 2), round(points[key], 2),
                     times_lost[key], times_scored[key]) for key in points if lost[key] > 0]
    weak.sort(key=lambda w: (-w.share, -w.lost, -w.times_lost, w.rule, w.label))
    return weak[:count]


def day_averages(series: Sequence[Attempt]) -> list[DayAverage]:
    by_day: dict[str, list[float]] = defaultdict(list)
    for attempt in series:
        by_day[attempt.day].append(attempt.percent)
    return [DayAverage(day, _mean(values), len(values)) for day, values in sorted(by_day.items())]


def trainee_report(trainee_id: str, rows: Sequence[DrillResult]) -> TraineeReport:
    ordered = _in_time_order(r for r in rows if r.trainee_id == trainee_id)
    by_scenario: dict[str, list[DrillResult]] = defaultdict(list)
    for row in ordered:
        by_scenario[row.scenario_id].append(row)
    scenarios = tuple(
        ScenarioProgress(scenario_id, runs[-1].scenario_title,
                         tuple(Attempt(r.finished_at, r.percent, r.scenario_id) for r in runs))
        for scenario_id, runs in sorted(by_scenario.items()))
    series = tuple(Attempt(r.finished_at, r.percent, r.scenario_id) for r in ordered)
    return TraineeReport(trainee_id, scenarios, series, tuple(weakest_rules(ordered)),
                         tuple(day_averages(series)))


def trainee_reports(rows: Sequence[DrillResult]) -> list[TraineeReport]:
    """One report per trainee in `rows`, by 工号."""
    return [trainee_report(t, rows) for t in sorted({r.trainee_id for r in rows})]


def load_reports(db: Database, trainee_id: str | None = None) -> list[TraineeReport]:
    return trainee_reports(results(db, trainee_id=trainee_id))


def report_json(reports: Sequence[TraineeReport]) -> dict[str, Any]:
    """What `seat-console drill report --json` prints."""
    return {"trainees": [r.as_json() for r in reports]}


# -- the text chart ------------------------------------------------------------------------

def cell_width(text: str) -> int:
    """Terminal columns of `text`: CJK characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def cut(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, with … where it was cut."""
    if cell_width(text) <= width:
        return text
    while text and cell_width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _block(percent: float, bottom: float, step: float) -> str:
    fill = min(1.0, max(0.0, (percent - bottom) / step))
    eighths = round(fill * 8)
    if eighths == 0 and bottom == 0 and percent > 0:
        eighths = 1  # a low score still shows
    return BLOCKS[eighths]


def sparkline(percents: Sequence[float]) -> str:
    """One character per percent: ▁ for 0 up to █ for 100."""
    return "".join(BLOCKS[1 + round(min(100.0, max(0.0, p)) / 100 * 7)] for p in percents)


def chart_points(report: TraineeReport, width: int) -> tuple[str, list[tuple[str, float]]]:
    """What to chart in `width` columns: every attempt if they fit, else the average per day,
    else the average of the latest days that fit; with its caption."""
    room = max(1, (width - 5) // 2)
    if report.attempts <= room:
        return (f"进步曲线(每次练习的得分率%,共{report.attempts}次)",
                [(a.day[5:], a.percent) for a in report.series])
    days = list(report.days)
    if len(days) <= room:
        return (f"进步曲线(每日平均得分率%,共{len(days)}天)",
                [(d.day[5:], d.average) for d in days])
    return (f"进步曲线(最近{room}天的每日平均得分率%,共{len(days)}天)",
            [(d.day[5:], d.average) for d in days[-room:]])


def progress_chart(report: TraineeReport, width: int = 78,
                   height: int = CHART_HEIGHT) -> list[str]:
    """The progress as lines of text at most `width` columns wide: a caption, `height` rows of
    bars (one column each, 0-100%), the axis and the first and last date."""
    caption, points = chart_points(report, width)
    if cell_width(caption) > width:  # narrow: 进步曲线 above its explanation
        title, _, rest = caption.partition("(")
        lines = [title, cut("(" + rest, width)]
    else:
        lines = [caption]
    if not points:
        return lines
    step = 100 / height
    every = max(1, height // 4)
    for row in range(height):
        top = 100 - row * step
        label = f"{top:g}" if row % every == 0 else ""
        bars = "".join(" " + _block(p, top - step, step) for _, p in points)
        lines.append(f"{label:>4}┤{bars}".rstrip())
    lines.append("   0┼" + "──" * len(points))
    first, last = points[0][0], points[-1][0]
    axis = " " * 5 + first
    end = 5 + 2 * len(points)  # the column just after the last bar
    gap = max(1, end - len(last) - len(axis))  # right under the last bar, if there is room
    if len(points) > 1 and len(axis) + gap + len(last) <= width:
        axis += " " * gap + last
    lines.append(axis)
    return lines
