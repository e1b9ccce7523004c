"""`seat-console drill check | list | replay`: the protocols trainers' tools and evaluations use,
exactly as written, and errors that name the file and the line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from seat_console.commands.arguments import drill_shorthand
from seat_console.config import SHIPPED_SCRIPTS_PHRASES

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
REFERENCE = SHIPPED_SCRIPTS_PHRASES / "drills" / "reference" / "heating_consult.jsonl"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([SEAT_CONSOLE, "drill", *args], text=True, capture_output=True,
                          cwd=cwd, timeout=120, encoding="utf-8", env={**os.environ, **(env or {})})


def test_list_json_names_every_scenario_with_its_reference_run(tmp_path: Path) -> None:
    done = run("list", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list) and len(rows) >= 12
    for row in rows:
        assert {"id", "title", "reference"} <= set(row)
        assert Path(row["reference"]).is_file() and Path(row["reference"]).stem == row["id"]
    assert "heating_consult" in {row["id"] for row in rows}


def test_replay_json_has_the_protocol_shape_and_stores_nothing(tmp_path: Path) -> None:
    done = run("replay", "heating_consult", "--agent", str(REFERENCE), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"scenario", "score", "max", "items"}
    assert answer["scenario"] == "heating_consult"
    assert answer["score"] == answer["max"] > 0
    for item in answer["items"]:
        assert set(item) == {"rule", "points", "lost", "why"}
        assert isinstance(item["why"], str) and 0 <= item["lost"] <= item["points"]
    assert sum(i["points"] for i in answer["items"]) == answer["max"]
    assert list(tmp_path.iterdir()) == []  # no database, config or log written


def test_replay_of_a_spoiled_run_says_what_was_lost_and_why(tmp_path: Path) -> None:
    actions = [json.loads(line) for line in REFERENCE.read_text(encoding="utf-8").splitlines()]
    actions = [a for a in actions if "kb" not in a]  # never looked the answer up
    actions.append({"t": 53, "say": "这个不归我们管,着急也没用。"})
    run_file = tmp_path / "run.jsonl"
    run_file.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in actions),
                        encoding="utf-8")
    answer = json.loads(run("replay", "heating_consult", "--agent", str(run_file), "--json",
                            cwd=tmp_path).stdout)
    lost = {i["rule"]: i for i in answer["items"] if i["lost"]}
    assert set(lost) == {"kb", "forbidden"}
    assert lost["kb"]["lost"] == lost["kb"]["points"] and "kb-heating-0001" in lost["kb"]["why"]
    assert lost["forbidden"]["lost"] == 10 and "着急也没用" in lost["forbidden"]["why"]
    assert answer["score"] == answer["max"] - 10 - lost["kb"]["points"]


def test_a_bad_action_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    run_file = tmp_path / "run.jsonl"
    run_file.write_text('{"t": 1, "say": "您好"}\n{"t": "soon", "say": "再见"}\n', encoding="utf-8")
    done = run("replay", "heating_consult", "--agent", str(run_file), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{run_file}:2" in done.stderr and "'t'" in done.stderr


def test_an_unknown_disposition_or_field_is_named_by_file_and_line(tmp_path: Path) -> None:
    run_file = tmp_path / "run.jsonl"
    for bad, message in (('{"t": 5, "dispose": "answered"}', "unknown disposition 'answered'"),
                         ('{"t": 5, "fill": {"callername": "王女士"}}',
                          "unknown form field 'callername'")):
        run_file.write_text('{"t": 1, "say": "您好"}\n' + bad + "\n", encoding="utf-8")
        done = run("replay", "heating_consult", "--agent", str(run_file), cwd=tmp_path)
        assert done.returncode == 2 and f"{run_file}:2: {message}" in done.stderr, done.stderr


def test_an_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    done = run("replay", "no_such_drill", "--agent", str(REFERENCE), cwd=tmp_path)
    assert done.returncode == 2 and "heating_consult" in done.stderr


def _phrases_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "phrases"
    shutil.copytree(SHIPPED_SCRIPTS_PHRASES, folder)
    return folder


def test_check_passes_on_the_shipped_drills(tmp_path: Path) -> None:
    done = run("check", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 with problems" in done.stdout


def test_check_names_file_and_line_of_each_broken_scenario(tmp_path: Path) -> None:
    folder = _phrases_copy(tmp_path)
    scenario = folder / "drills" / "heating_consult.yaml"
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace("reply_to: confirm_matter", "reply_to: confirm_mater"),
                        encoding="utf-8")
    line = text.splitlines().index("    reply_to: confirm_matter") + 1
    broken = folder / "drills" / "kb_typo.yaml"
    broken.write_text(text.replace("id: heating_consult", "id: kb_typo")
                      .replace("kb: [kb-heating-0001]", "kb: [kb-heating-9999]"), encoding="utf-8")
    kb_line = text.splitlines().index("  kb: [kb-heating-0001]") + 1
    done = run("check", cwd=tmp_path, env={"SEAT_CONSOLE_SCRIPTS_PHRASES": str(folder)})
    assert done.returncode == 1
    assert f"{scenario}:{line}: unknown script moment 'confirm_mater'" in done.stdout
    assert f"{broken}:{kb_line}: no KB article or directory entry 'kb-heating-9999'" in done.stdout


def test_check_refuses_a_reference_run_below_95_percent(tmp_path: Path) -> None:
    folder = _phrases_copy(tmp_path)
    reference = folder / "drills" / "reference" / "heating_consult.jsonl"
    kept = [line for line in reference.read_text(encoding="utf-8").splitlines()
            if '"kb"' not in line and '"dispose"' not in line]
    reference.write_text("\n".join(kept) + "\n", encoding="utf-8")
    done = run("check", "--json", cwd=tmp_path, env={"SEAT_CONSOLE_SCRIPTS_PHRASES": str(folder)})
    assert done.returncode == 1
    rows = {r["scenario"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert not rows["heating_consult"]["ok"] and "below 95%" in rows["heating_consult"]["problem"]


def test_drill_with_a_scenario_is_drill_start() -> None:
    assert drill_shorthand(["drill", "heating_consult"]) == ["drill", "start", "heating_consult"]
    assert drill_shorthand(["--config", "c.yaml", "drill"]) == ["--config", "c.yaml", "drill",
                                                                 "start"]
    assert drill_shorthand(["drill", "replay", "x", "--agent", "f"]) == [
        "drill", "replay", "x", "--agent", "f"]
    assert drill_shorthand(["kb", "search", "drill"]) == ["kb", "search", "drill"]
