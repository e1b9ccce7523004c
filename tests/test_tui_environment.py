"""Importing the UI changes nothing in the process; starting the console sets Textual's frame
rate (TEXTUAL_FPS 240 unless the environment says otherwise) before Textual reads it.

Each case runs in a fresh interpreter: whether Textual is already imported is what matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seat_console.tui import CONSOLE_FPS

IMPORT_UI = """
import json, os, sys
before = dict(os.environ)
import seat_console.tui
import seat_console.tui.app
after = dict(os.environ)
print(json.dumps({"changed": sorted(k for k in before.keys() | after.keys()
                                    if before.get(k) != after.get(k)),
                  "textual_imported": "textual.constants" in sys.modules}))
"""

# The real start path (`seat-console --call ...`) up to the phone check, which fails on a bad
# number after the UI is imported and before a terminal is needed; then what Textual uses.
START_CONSOLE = """
import json, os, sys
from seat_console import cli
code = cli.main(["--call", "not-a-phone"])
import textual.constants, textual.screen
print(json.dumps({"code": code, "max_fps": textual.constants.MAX_FPS,
                  "update_period": textual.screen.UPDATE_PERIOD,
                  "env": os.environ.get("TEXTUAL_FPS")}))
"""


def _run(code: str, cwd: Path, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items()
               if k != "TEXTUAL_FPS" and not k.startswith("SEAT_CONSOLE_")}
    environ.update(env)
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("fps", [None, "30"])
def test_importing_the_ui_leaves_the_environment_alone(tmp_path: Path, fps: str | None) -> None:
    result = _run(IMPORT_UI, tmp_path, **({"TEXTUAL_FPS": fps} if fps else {}))
    assert result == {"changed": [], "textual_imported": True}


def test_starting_the_console_sets_the_frame_rate_before_textual_reads_it(
        tmp_path: Path) -> None:
    result = _run(START_CONSOLE, tmp_path)
    assert result == {"code": 2, "max_fps": CONSOLE_FPS, "update_period": 1 / CONSOLE_FPS,
                      "env": str(CONSOLE_FPS)}


def test_an_explicit_textual_fps_wins(tmp_path: Path) -> None:
    result = _run(START_CONSOLE, tmp_path, TEXTUAL_FPS="30")
    assert result == {"code": 2, "max_fps": 30, "update_period": 1 / 30, "env": "30"}
