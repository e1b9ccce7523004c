"""`seat-console drill report` and the console's 演练成绩 screen, over a real drill.db: the
aggregates per trainee and scenario (first, last, best, change, average, per day), the weakest
rules in order of the share of their points lost, the text chart within 80 columns, the JSON
shape, the workbook (sheets, a native line chart, rows), the screen's tables, and a missing
drill.db reported without being created.

Trainee 8001's results are made from Items with numbers chosen so the expectations can be
worked out by hand; trainee 8002's are the scorer's own, replaying the shipped heating_consult
reference run (perfect) and the same run with a 禁语 said (spoiled)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import LineChart
from textual.app import App
from textual.widgets import DataTable, Static

import seat_console.tui
from seat_console.cli import main
from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES, Config
from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.drills.actions import Action, read_actions
from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.report import (cell_width, chart_points, progress_chart,
                                             trainee_reports, weakest_rules)
from seat_console.core.drills.results import (DrillResult, drill_database_path, results,
                                              store_result)
from seat_console.core.drills.scoring import DrillScore, Item
from seat_console.tui.screens.drill_report_screen import DrillReportScreen

from .console_driver import wait_until

# rule, label, points: 50 points in all
RULES = (("phrases.opening", "开场服务语", 10.0), ("forbidden", "服务禁语", 20.0),
         ("kb", "知识库查询", 10.0), ("record_within", "60秒内记录诉求", 10.0))
NOISE, CARD = ("noise_night", "夜间施工噪音投诉"), ("card_loss", "市民卡挂失咨询")
# (finished at, scenario, points lost by rule) -> percent worked out by hand
HAND_MADE = (
    ("2026-11-20T10:00:00+08:00", NOISE, {"forbidden": 10, "kb": 10}),  # 30/50 = 60%
    ("2026-11-20T15:00:00+08:00", CARD, {"record_within": 10}),         # 40/50 = 80%
    ("2026-11-21T10:00:00+08:00", NOISE, {"kb": 10}),                   # 80%
    ("2026-11-22T09:00:00+08:00", CARD, {}),                            # 100%
    ("2026-11-22T10:00:00+08:00", NOISE, {"forbidden": 5, "kb": 10}),   # 70%
)
HEATING = "heating_consult"


def score_of(scenario_id: str, lost: dict[str, float]) -> DrillScore:
    return DrillScore(scenario_id, tuple(
        Item(rule, label, points, float(lost.get(rule, 0)), "扣分" if lost.get(rule) else "")
        for rule, label, points in RULES))


def store_at(db: Database, at: str, score: DrillScore, title: str, trainee: str,
             actions: list[Action] | None = None) -> DrillResult:
    """Stored as if the drill ended at `at`: the clock (SEAT_CONSOLE_CLOCK_AT's in-process
    form, which the autouse fixture also uses) stands at that instant meanwhile."""
    with clock.travel(at, frozen=True):
        return store_result(db, score, title=title, trainee_id=trainee, site_code="210102",
                            started_at=clock.now_iso(), actions=actions or [])


def spoiled(actions: list[Action]) -> list[Action]:
    """The reference run with a 禁语 added to the last thing the agent says."""
    last = max(i for i, a in enumerate(actions) if a.kind == "say")
    return [replace(a, value=a.value + "这个我不知道。") if i == last else a
            for i, a in enumerate(actions)]


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """main() points the seat_console logger at the test's log file: undone afterwards."""
    logger = logging.getLogger("seat_console")
    handlers, level = logger.handlers[:], logger.level
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:], logger.level = handlers, level


@pytest.fixture(scope="module")
def heating_scores() -> tuple[DrillScore, DrillScore, str]:
    drills = Drills.load(SHIPPED_SCRIPTS_PHRASES, SHIPPED_KB_DATA)
    scenario = next(s for s in drills.scenarios() if s.id == HEATING)
    perfect = read_actions(scenario.reference_path)
    return (drills.scorer.score(scenario, spoiled(perfect)),
            drills.scorer.score(scenario, perfect), scenario.title)


@pytest.fixture
def drill_db(config: Config, heating_scores: tuple[DrillScore, DrillScore, str]) -> Path:
    """drill.db beside the test's hotline.db with the results of trainees 8001 and 8002."""
    path = drill_database_path(config.database)
    db = Database(path)
    try:
        for at, (scenario_id, title), lost in HAND_MADE:
            store_at(db, at, score_of(scenario_id, lost), title, "8001")
        bad, good, title = heating_scores
        store_at(db, "2026-11-21T14:00:00+08:00", bad, title, "8002")
        store_at(db, "2026-11-23T14:00:00+08:00", good, title, "8002")
    finally:
        db.close()
    return path


def stored(path: Path) -> list[DrillResult]:
    db = Database(path)
    try:
        return results(db)
    finally:
        db.close()


def run_cli(config: Config, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--config", str(config.database.parent / "seat-console.yaml"), "drill",
                 "report", *args])
    return code, capsys.readouterr().out


# -- the aggregates --------------------------------------------------------------------------

def test_per_scenario_first_last_best_and_change_worked_out_by_hand(drill_db: Path) -> None:
    first, second = trainee_reports(stored(drill_db))
    assert (first.trainee_id, second.trainee_id) == ("8001", "8002")
    card, noise = first.scenarios  # by scenario id
    assert (noise.scenario_id, noise.title) == NOISE
    assert [a.percent for a in noise.attempts] == [60.0, 80.0, 70.0]
    assert (noise.first, noise.last, noise.best, noise.change) == (60.0, 70.0, 80.0, 10.0)
    assert [a.percent for a in card.attempts] == [80.0, 100.0]
    assert (card.first, card.last, card.best, card.change) == (80.0, 100.0, 100.0, 20.0)
    assert noise.attempts[-1].finished_at == "2026-11-22T10:00:00.000+08:00"
    # every attempt in time order, across scenarios (the 22nd's 09:00 card before its 10:00 noise)
    assert [a.percent for a in first.series] == [60.0, 80.0, 80.0, 100.0, 70.0]
    assert (first.attempts, first.average) == (5, 78.0)  # (60+80+80+100+70) / 5
    assert [(d.day, d.average, d.attempts) for d in first.days] == [
        ("2026-11-20", 70.0, 2), ("2026-11-21", 80.0, 1), ("2026-11-22", 85.0, 2)]


def test_the_weakest_rules_are_ordered_by_the_share_of_their_points_lost(drill_db: Path) -> None:
    report = trainee_reports(stored(drill_db))[0]
    weak = [(w.rule, w.label, w.lost, w.points, w.times_lost, w.times_scored)
            for w in report.weakest]
    # kb lost 30 of 5 x 10 (60%); record_within 10 of 50 (20%); forbidden 15 of 5 x 20 (15%),
    # more points than record_within but a smaller share; the opening never lost: not listed
    assert weak == [("kb", "知识库查询", 30.0, 50.0, 3, 5),
                    ("record_within", "60秒内记录诉求", 10.0, 50.0, 1, 5),
                    ("forbidden", "服务禁语", 15.0, 100.0, 2, 5)]


def test_the_scorers_own_results_replayed_from_the_reference_run(
        drill_db: Path, heating_scores: tuple[DrillScore, DrillScore, str]) -> None:
    bad, good, title = heating_scores
    assert bad.percent < good.percent == 100.0
    report = trainee_reports(stored(drill_db))[1]
    (heating,) = report.scenarios
    assert (heating.scenario_id, heating.title) == (HEATING, title)
    assert (heating.first, heating.last, heating.best) == (bad.percent, 100.0, 100.0)
    assert [w.rule for w in report.weakest] == ["forbidden"]  # the 禁语, nothing else


def test_only_the_top_five_and_key_facts_of_other_scenarios_are_other_rules() -> None:
    def result(scenario: str, items: list[tuple[str, str]]) -> DrillResult:
        return DrillResult(scenario, "210102", "8001", scenario, scenario, 0, 5 * len(items),
                           [{"rule": r, "label": label, "points": 5, "lost": 5, "why": ""}
                            for r, label in items], "", "2026-11-20T10:00:00.000+08:00",
                           "2026-11-20T10:10:00.000+08:00")

    rows = [result("a", [("facts.1", "诉求要素:暖气"), ("kb", "知识库查询")]),
            result("b", [("facts.1", "诉求要素:噪音"), ("disposition", "处置方式"),
                         ("fields.domain", "诉求领域"), ("forbidden", "服务禁语")])]
    weak = weakest_rules(rows)
    assert len(weak) == 5
    assert sorted((w.rule, w.label) for w in weak if w.rule == "facts.1") == [
        ("facts.1", "诉求要素:噪音"), ("facts.1", "诉求要素:暖气")]
    assert len(weakest_rules(rows, count=10)) == 6


def test_the_chart_fits_80_columns_per_attempt_then_per_day(drill_db: Path) -> None:
    report = trainee_reports(stored(drill_db))[0]
    lines = progress_chart(report, 78)
    assert lines[0] == "进步曲线(每次练习的得分率%,共5次)"
    assert len(lines) == 1 + 8 + 2 and lines[-2] == "   0┼" + "──" * 5
    bars = [line[5:] for line in lines[1:9]]
    assert [row[1] for row in bars] == [" ", " ", " ", "▆"] + ["█"] * 4  # 60%: 4.8 rows
    assert [row[7] for row in bars] == ["█"] * 8  # the 100% attempt fills the column
    assert lines[-1].split() == ["11-20", "11-22"]

    many = [DrillResult(f"r{day:02d}{n}", "210102", "8001", "s", "s", day, 40, [], "",
                        f"2026-10-{day:02d}T09:00:00.000+08:00",
                        f"2026-10-{day:02d}T09:0{n}:00.000+08:00")
            for day in range(1, 31) for n in range(2)]
    busy = trainee_reports(many)[0]
    assert chart_points(busy, 78)[0] == "进步曲线(每日平均得分率%,共30天)"
    assert chart_points(busy, 40)[0] == "进步曲线(最近17天的每日平均得分率%,共30天)"
    assert all(cell_width(line) <= 78 for line in progress_chart(busy, 78))
    assert all(cell_width(line) <= 40 for line in progress_chart(busy, 40))


# -- the command -----------------------------------------------------------------------------

def test_the_text_report_per_trainee_fits_80_columns(
        drill_db: Path, config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(config, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"演练成绩({drill_db}):2 名学员,共 7 次练习"
    assert "学员 8001 · 练习 5 次 · 平均得分率 78% · 2026-11-20 至 2026-11-22" in lines
    noise = next(line for line in lines if "夜间施工噪音投诉" in line)
    assert noise.split()[1:6] == ["3", "60%", "→", "70%", "80%"] and "+10" in noise
    weak = [line.split()[1] for line in lines if line.startswith("  1. ")
            or line.startswith("  2. ") or line.startswith("  3. ")][:3]
    assert weak == ["知识库查询", "60秒内记录诉求", "服务禁语"]
    assert "  进步曲线(每次练习的得分率%,共5次)" in lines
    assert all(cell_width(line) <= 80 for line in lines[1:]), \
        [line for line in lines if cell_width(line) > 80]


def test_json_has_the_documented_shape_and_trainee_filters(
        drill_db: Path, config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(config, capsys, "--json")
    assert code == 0
    data = json.loads(out)
    assert [t["trainee_id"] for t in data["trainees"]] == ["8001", "8002"]

    code, out = run_cli(config, capsys, "--json", "--trainee", "8001")
    (trainee,) = json.loads(out)["trainees"]
    assert {"trainee_id", "attempts", "average", "scenarios", "weakest_rules"} <= set(trainee)
    assert (trainee["attempts"], trainee["average"]) == (5, 78.0)
    noise = next(s for s in trainee["scenarios"] if s["scenario_id"] == "noise_night")
    assert {k: noise[k] for k in ("title", "attempts", "first", "last", "best")} == {
        "title": "夜间施工噪音投诉", "attempts": 3, "first": 60.0, "last": 70.0, "best": 80.0}
    assert noise["series"] == [
        {"finished_at": "2026-11-20T10:00:00.000+08:00", "percent": 60.0},
        {"finished_at": "2026-11-21T10:00:00.000+08:00", "percent": 80.0},
        {"finished_at": "2026-11-22T10:00:00.000+08:00", "percent": 70.0}]
    first = trainee["weakest_rules"][0]
    assert {k: first[k] for k in ("rule", "label", "lost", "points", "times_lost")} == {
        "rule": "kb", "label": "知识库查询", "lost": 30.0, "points": 50.0, "times_lost": 3}

    code, out = run_cli(config, capsys, "--trainee", "9999")
    assert (code, out) == (0, f"no drill results yet in {drill_db} for trainee 9999\n")


def test_without_drill_db_it_says_so_and_creates_nothing(
        config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    path = drill_database_path(config.database)
    code, out = run_cli(config, capsys)
    assert (code, out) == (0, f"no drill results yet in {path}\n")
    code, out = run_cli(config, capsys, "--json")
    assert (code, json.loads(out)) == (0, {"trainees": []})
    code, out = run_cli(config, capsys, "--xlsx", str(path.parent / "r.xlsx"))
    assert (code, out) == (0, f"no drill results yet in {path}; no workbook written\n")
    assert not path.exists() and not (path.parent / "r.xlsx").exists()


def test_an_empty_drill_db_has_no_results(config: Config,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = drill_database_path(config.database)
    Database(path).close()
    assert run_cli(config, capsys) == (0, f"no drill results yet in {path}\n")


def test_the_workbook_a_trainer_forwards(drill_db: Path, config: Config, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "演练成绩.xlsx"
    code, out = run_cli(config, capsys, "--xlsx", str(out_file))
    assert code == 0 and out == f"wrote the drill report of 2 trainee(s) to {out_file}\n"
    book = load_workbook(out_file)
    assert book.sheetnames[:3] == ["学员成绩", "进步曲线", "薄弱环节"]

    scores = book["学员成绩"]
    header = [c.value for c in scores[1]]
    assert header[:8] == ["学员工号", "场景编号", "场景名称", "练习次数", "首次得分率",
                          "最近得分率", "最好得分率", "变化(百分点)"]
    assert scores["A1"].font.b and scores.freeze_panes == "A2"
    assert scores.column_dimensions["C"].width == 40
    rows = [[c.value for c in row][:8] for row in scores.iter_rows(min_row=2)]
    assert rows == [["8001", "card_loss", "市民卡挂失咨询", 2, 0.8, 1, 1, 20],
                    ["8001", "noise_night", "夜间施工噪音投诉", 3, 0.6, 0.7, 0.8, 10],
                    ["8002", HEATING, rows[2][2], 2, rows[2][4], 1, 1, rows[2][7]]]
    assert scores["E2"].number_format == "0.0%"
    assert scores["I3"].value.isoformat() == "2026-11-20T10:00:00"  # 首次练习时间, China time

    progress = book["进步曲线"]
    assert [c.value for c in progress[1]] == ["练习次序", "学员 8001", "学员 8002"]
    assert [[c.value for c in row] for row in progress.iter_rows(min_row=2)] == [
        ["第1次", 0.6, rows[2][4]], ["第2次", 0.8, 1], ["第3次", 0.8, None],
        ["第4次", 1, None], ["第5次", 0.7, None]]
    (chart,) = progress._charts
    assert isinstance(chart, LineChart) and len(chart.series) == 2

    weak = book["薄弱环节"]
    assert [c.value for c in weak[1]][:4] == ["学员工号", "排名", "评分项", "规则编号"]
    assert [[c.value for c in row][:4] for row in weak.iter_rows(min_row=2)] == [
        ["8001", 1, "知识库查询", "kb"], ["8001", 2, "60秒内记录诉求", "record_within"],
        ["8001", 3, "服务禁语", "forbidden"], ["8002", 1, "服务禁语", "forbidden"]]


def test_no_cell_of_the_workbook_runs_as_a_formula(config: Config, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(drill_database_path(config.database))
    try:
        store_at(db, "2026-11-20T10:00:00+08:00", score_of("x", {}), "=HYPERLINK(\"a\")", "=1+2")
    finally:
        db.close()
    assert run_cli(config, capsys, "--xlsx", str(tmp_path / "r.xlsx"))[0] == 0
    scores = load_workbook(tmp_path / "r.xlsx")["学员成绩"]
    assert [scores["A2"].value, scores["C2"].value] == ["'=1+2", "'=HYPERLINK(\"a\")"]
    assert scores["A2"].data_type == "s"


# -- the screen ------------------------------------------------------------------------------

class ReportApp(App[None]):
    """The screen alone, styled as in the console."""

    CSS_PATH = Path(seat_console.tui.__file__).parent / "console.tcss"

    def __init__(self, rows: list[DrillResult]) -> None:
        super().__init__()
        self.rows = rows

    def on_mount(self) -> None:
        self.push_screen(DrillReportScreen(self.rows))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_screen_shows_the_rows_and_escape_closes(
        drill_db: Path, heating_scores: tuple[DrillScore, DrillScore, str],
        size: tuple[int, int]) -> None:
    app = ReportApp(stored(drill_db))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillReportScreen)
        table = screen.query_one("#drill-report-scenarios", DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[:7] for row in cells[:2]] == [
            ["8001", "市民卡挂失咨询", "2", "80%", "100%", "100%", "+20"],
            ["8001", "夜间施工噪音投诉", "3", "60%", "70%", "80%", "+10"]]
        # a long title is cut to TITLE_WIDTH columns (the CLI and the workbook have it whole)
        assert heating_scores[2] == "暖气不热,室温不达标怎么反映(知识库直接答复)"
        assert cells[2][:2] == ["8002", "暖气不热,室温不达标怎么…"]
        weak = screen.query_one("#drill-report-weak", DataTable)
        assert [[str(c) for c in weak.get_row_at(i)][2] for i in range(weak.row_count)] == [
            "知识库查询", "60秒内记录诉求", "服务禁语", "服务禁语"]
        shown = screen.query_one("#drill-report-chart-0", Static)
        await wait_until(pilot, lambda: "┤" in str(shown.render()))  # drawn to its width
        chart = str(shown.render())
        assert "学员 8001 · 平均得分率 78%" in chart and "   0┼" + "──" * 5 in chart
        width = screen.chart_width()
        assert all(cell_width(line) <= width for line in chart.splitlines())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DrillReportScreen)


async def test_the_screen_without_results_says_so() -> None:
    app = ReportApp([])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "还没有演练成绩" in str(app.screen.query_one("#drill-report-empty",
                                                           Static).render())


async def test_the_console_palette_opens_the_report_from_drill_db(
        drill_db: Path, config: Config) -> None:
    from seat_console.core.workspace import open_workspace
    from seat_console.tui.app import SeatConsoleApp

    workspace = open_workspace(config)
    try:
        app = SeatConsoleApp(workspace)
        async with app.run_test(size=(120, 36)) as pilot:
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "培训演练成绩" in titles
            app.action_drill_report()
            await wait_until(pilot, lambda: isinstance(app.screen, DrillReportScreen))
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, DrillReportScreen))
    finally:
        workspace.db.close()


async def test_the_console_says_there_are_no_drills_and_creates_no_drill_db(
        config: Config) -> None:
    from seat_console.core.workspace import open_workspace
    from seat_console.tui.app import SeatConsoleApp

    workspace = open_workspace(config)
    try:
        app = SeatConsoleApp(workspace)
        async with app.run_test(size=(120, 36)) as pilot:
            app.action_drill_report()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, DrillReportScreen)
            assert any("还没有培训演练成绩" in str(n.message) for n in app._notifications)
    finally:
        workspace.db.close()
    assert not drill_database_path(config.database).exists()
