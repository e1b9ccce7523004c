"""The injectable clock: SEAT_CONSOLE_CLOCK_AT, travel(), and child processes on the same clock."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from seat_console.core import clock

BIN = Path(sys.executable).parent
CHILD_NOW = "from seat_console.core import clock; print(clock.now_iso())"


def child_env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    return {**base, **extra}


def child_now(env: dict[str, str]) -> datetime:
    result = subprocess.run([sys.executable, "-c", CHILD_NOW], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return clock.parse_iso(result.stdout.strip())


@pytest.mark.parametrize("value", ["garbage", "2027", "2027-13-01T09:00", "tomorrow 9am",
                                   "2027-02-10T09:00:00+08:00@", "2027-02-10T09:00@soon",
                                   "2027-02-10T09:00@-5", "2027-02-10T09:00@nan"])
def test_a_malformed_setting_is_refused_with_the_variable_and_an_example(value: str) -> None:
    with pytest.raises(clock.ClockSettingError) as caught:
        clock.parse_setting(value)
    assert "SEAT_CONSOLE_CLOCK_AT=" in str(caught.value) and value in str(caught.value)


def test_settings_that_are_accepted() -> None:
    assert clock.parse_setting("") is None and clock.parse_setting("  ") is None
    china = clock.parse_setting("2027-02-10 09:00")  # no offset: China time
    assert china is not None and china.start == datetime(2027, 2, 10, 9, tzinfo=clock.CHINA_TZ)
    utc = clock.parse_setting("2027-02-10T01:00:00Z")
    assert utc is not None and utc.start == china.start
    assert utc.start.utcoffset() == timedelta(hours=8)
    anchored = clock.parse_setting("2027-02-10T09:00:00+08:00@1000.5")
    assert anchored is not None and anchored.real_start == 1000.5


def test_travel_runs_on_or_stands_still_and_is_undone() -> None:
    outside = clock.now()
    with clock.travel("2026-12-31T23:59:59.500+08:00"):
        first = clock.now()
        assert first.date().isoformat() == "2026-12-31" and first.utcoffset() == timedelta(hours=8)
        time.sleep(0.6)
        later = clock.now()
        assert later.isoformat()[:10] == "2027-01-01" and later - first >= timedelta(seconds=0.6)
        with clock.travel(datetime(2027, 2, 10, 9, tzinfo=clock.CHINA_TZ), frozen=True):
            time.sleep(0.05)
            assert clock.now_iso() == "2027-02-10T09:00:00.000+08:00"
        assert clock.now() > later
    assert abs(clock.now() - outside) < timedelta(seconds=30)


def test_the_machine_time_zone_does_not_matter() -> None:
    code = ("from seat_console.core import clock; n = clock.now();"
            " print(n.isoformat(), n.utcoffset().total_seconds())")
    answers = []
    for zone in ("America/Los_Angeles", "Asia/Kolkata", "UTC"):
        env = child_env(TZ=zone, SEAT_CONSOLE_CLOCK_AT="2027-02-10T09:00:00+08:00")
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        stamp, offset = result.stdout.split()
        assert stamp.startswith("2027-02-10T09:00:0") and float(offset) == 8 * 3600
        answers.append(stamp[:16])
    assert len(set(answers)) == 1


def test_a_child_process_started_later_shows_the_same_time() -> None:
    with clock.travel("2026-12-31T23:59:58+08:00"):
        env = child_env(**clock.environment())
        time.sleep(1.0)  # the child starts a second after its environment was made
        before = clock.now()
        seen = child_now(env)
        after = clock.now()
    assert before <= seen <= after, (before, seen, after)
    # A plain instant is where the child's clock starts, whenever that is.
    started = child_now(child_env(SEAT_CONSOLE_CLOCK_AT="2027-02-10T09:00:00+08:00"))
    since = started - datetime(2027, 2, 10, 9, tzinfo=clock.CHINA_TZ)
    assert timedelta(0) <= since < timedelta(seconds=30)


def test_the_real_clock_passes_nothing_to_children() -> None:
    with clock.travel(None):
        assert clock.environment() == {}
        assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)
        seen = child_now(child_env(**clock.environment()))
        assert abs(seen - clock.now()) < timedelta(seconds=30)


def test_the_console_and_the_center_stamp_with_the_moved_clock(tmp_path: Path) -> None:
    ticket = {"phone": "13912345678", "demand": "路灯不亮", "request_type": "consult",
              "channel": "phone"}
    with clock.travel("2027-02-10T09:00:00+08:00"):
        before = clock.now()
        result = subprocess.run([str(BIN / "seat-console"), "ticket", "add", "--json"],
                                input=json.dumps(ticket), text=True, capture_output=True,
                                cwd=tmp_path, env=child_env(**clock.environment()), timeout=60)
        center = subprocess.run([str(BIN / "seat-center"), "add-site", "210102", "--db",
                                 str(tmp_path / "center.db")], text=True, capture_output=True,
                                env=child_env(**clock.environment()), timeout=60)
        after = clock.now()
    assert result.returncode == 0, result.stderr
    stored = json.loads(result.stdout)
    assert stored["number"] == "210102-20270210-0001"
    assert before <= clock.parse_iso(stored["created_at"]) <= after
    due = datetime(2027, 2, 12, 17, 30, tzinfo=clock.CHINA_TZ)  # Wednesday + 2 working days
    assert clock.parse_iso(stored["deadline"]) == due
    assert center.returncode == 0, center.stderr
    with sqlite3.connect(tmp_path / "center.db") as raw:
        (created,) = raw.execute("SELECT created_at FROM sites WHERE code = '210102'").fetchone()
    assert created.endswith("+00:00") and before <= clock.parse_iso(created) <= after


@pytest.mark.parametrize("program,args", [("seat-console", ["db", "info"]),
                                          ("seat-console", ["ticket", "list"]),
                                          ("seat-center", ["add-site", "210102", "--db", "c.db"])])
def test_a_malformed_variable_stops_the_program_with_a_message(
        tmp_path: Path, program: str, args: list[str]) -> None:
    result = subprocess.run([str(BIN / program), *args], text=True, capture_output=True,
                            cwd=tmp_path, env=child_env(SEAT_CONSOLE_CLOCK_AT="next tuesday"),
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{program}: error: SEAT_CONSOLE_CLOCK_AT='next tuesday': expected an ISO 8601 date "
        "and time, e.g. 2027-02-10T09:00:00+08:00")
    assert not (tmp_path / "c.db").exists() and not (tmp_path / "hotline.db").exists()
