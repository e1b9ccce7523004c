"""A trainee's drill result reaches a real seat-center on 127.0.0.1 exactly once (SQLite and
PostgreSQL), through the site's ordinary sync: the drill database itself never syncs, so the
drill's own ticket never reaches the center."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES
from seat_console.core.db import Database
from seat_console.core.drills.actions import read_actions
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.results import store_result

from .center_fixture import Center, center_database, running_center
from .sync_helpers import make_site, sync
from .test_sync import exported


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


def center_drill_results(center: Center, *flags: str) -> list[dict[str, object]]:
    done = center.cli("drill-results", "--json", *flags)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_drill_result_reaches_the_center_once_and_the_drill_stays_on_the_site(
        tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center)
    drills = Drills.load(SHIPPED_SCRIPTS_PHRASES, SHIPPED_KB_DATA)
    scenario = next(s for s in drills.scenarios() if s.id == "heating_consult")
    actions = read_actions(scenario.reference_path)
    score = drills.scorer.score(scenario, actions)
    drill_db, site_db = Database(site.folder / "drill.db"), Database(site.folder / "hotline.db")
    try:
        stored = store_result(drill_db, score, title=scenario.title, trainee_id="9001",
                              site_code=site.code, started_at="2026-11-25T09:58:00.000+08:00",
                              actions=actions, send_from=site_db)
    finally:
        drill_db.close()
        site_db.close()
    assert sync(site)["pushed"] == 1
    rows = center_drill_results(center)
    assert [(r["site"], r["id"], r["trainee_id"], r["scenario_id"], r["score"], r["max"])
            for r in rows] == [(site.code, stored.id, "9001", "heating_consult", score.score,
                                score.max)]
    assert rows[0]["items"] == stored.items
    assert "run" not in rows[0] and "王女士" not in json.dumps(rows[0], ensure_ascii=False)
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        raw.execute("UPDATE outbox SET sent_at = NULL")  # the answer was lost: sent again
    assert sync(site)["rejected"] == 0
    assert center_drill_results(center) == rows
    assert center_drill_results(center, "--trainee", "9002") == []
    assert exported(center) == []  # no ticket of the drill database
