"""`seat-console drill …`: check, list and replay scenarios; start the console in drill mode;
report trainees' scores."""

from __future__ import annotations

import argparse
from pathlib import Path

from seat_console.commands.json_lines import print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core.drills.catalog import Drills, check_drills
from seat_console.core.drills.scenario import find_scenario
from seat_console.core.drills.scoring import DrillScore
from seat_console.core.plain_text import printable


def load_drills(config: Config) -> Drills:
    return Drills.load(config.scripts_phrases, config.kb_data)


def check(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    results = check_drills(load_drills(config))
    if args.json:
        for result in results:
            print_json({"scenario": result.scenario, "path": str(result.path),
                        "ok": not result.problem, "problem": result.problem,
                        "reference_percent": result.reference_percent})
    else:
        for result in results:
            if result.problem:
                print(printable(result.problem))
            else:
                print(f"ok  {result.scenario}: reference run {result.reference_percent:g}%")
        bad = sum(1 for r in results if r.problem)
        print(f"{len(results)} scenarios, {bad} with problems")
    return 1 if any(r.problem for r in results) else 0


def list_(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    scenarios = load_drills(config).scenarios()
    rows = [{"id": s.id, "title": s.title, "level": s.level, "reference": str(s.reference_path)}
            for s in scenarios]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(printable(f"{row['id']:24} {row['level']}  {row['title']}"))
    return 0


def replay(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    drills = load_drills(config)
    scenario = find_scenario(config.scripts_phrases, args.scenario, drills.vocabulary)
    score = drills.scorer.score(scenario, drills.read_run(Path(args.actions)))
    if args.json:
        print_json(score.as_json())
    else:
        print_score(score, scenario.title)
    return 0


def print_score(score: DrillScore, title: str) -> None:
    print(printable(f"{title}: {score.score:g} / {score.max:g} ({score.percent:g}%)"))
    for item in score.items:
        mark = "  " if not item.lost else "✗ "
        print(printable(f"{mark}{item.label}: {item.points - item.lost:g}/{item.points:g}  "
                        f"{item.why}"))
