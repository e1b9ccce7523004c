"""The seat-console command line, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seat_console.core import clock

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    full_env.update(clock.environment())  # the test's clock
    full_env.update(env or {})
    return subprocess.run([SEAT_CONSOLE, *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args", [[], ["check-data"], ["db"], ["db", "info"], ["db", "migrate"],
                                  ["config"], ["config", "show"]])
def test_help_on_every_level(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage: seat-console" in result.stdout


def test_db_info_creates_seeds_nothing_but_reports(tmp_path: Path) -> None:
    result = run("db", "info", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["schema_version"] >= 2 and info["tickets"] == 0
    assert (tmp_path / "hotline.db").exists() and (tmp_path / "seat-console.yaml").exists()


def test_check_data_passes_on_shipped_data(tmp_path: Path) -> None:
    result = run("check-data", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "phrases:" in result.stdout and "kb_data:" in result.stdout


def test_check_data_names_file_and_line_of_a_bad_kb_record(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    result = run("check-data", cwd=tmp_path, env={"SEAT_CONSOLE_KB_DATA": str(kb)})
    assert result.returncode == 1
    assert f"{kb / 'a.jsonl'}:1: missing field 'title'" in result.stderr


def test_bad_config_stops_the_console_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "seat-console.yaml").write_text("site_code: 21\nagent: {id: '80 01'}\n",
                                                encoding="utf-8")
    result = run(cwd=tmp_path)
    assert result.returncode == 2
    assert "seat-console.yaml:1: site_code" in result.stderr
    assert "seat-console.yaml:2: agent.id" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "hotline.db").exists()  # nothing started half-configured


def test_unknown_keymap_id_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "seat-console.yaml").write_text("keymap:\n  app.help: f12\n  app.halp: f11\n",
                                                encoding="utf-8")
    result = run(cwd=tmp_path)
    assert result.returncode == 2
    assert "seat-console.yaml:3: unknown binding id 'app.halp'" in result.stderr


def test_malformed_phrases_stop_the_console(tmp_path: Path) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    (folder / "phrases.yaml").write_text("phases:\n  - id: opening\n   label: x\n", encoding="utf-8")
    result = run(cwd=tmp_path, env={"SEAT_CONSOLE_SCRIPTS_PHRASES": str(folder)})
    assert result.returncode == 2
    assert "phrases.yaml:3" in result.stderr and "malformed YAML" in result.stderr


def test_corrupted_database_gets_a_clear_message_and_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    db.write_bytes(b"\x00garbage" * 512)
    result = run(cwd=tmp_path)
    assert result.returncode == 2
    assert "not a usable SQLite database" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == b"\x00garbage" * 512


def test_invalid_call_number_is_refused(tmp_path: Path) -> None:
    result = run("--call", "12", cwd=tmp_path)
    assert result.returncode == 2 and "not a valid phone number" in result.stderr
