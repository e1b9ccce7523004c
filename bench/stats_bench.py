"""Statistics benchmark: `seat-console stats` for one month of a large city's hotline (~10,000
tickets a day) in a database holding a year (target: <= 2 s).

    python bench/stats_bench.py

The database is made by bench/stats_generator.py (360 days x 10,000 tickets by default, several
minutes the first time, then reused from the cache). SEAT_BENCH_STATS_DAYS and
SEAT_BENCH_STATS_PER_DAY make it smaller (e.g. SEAT_BENCH_STATS_DAYS=45 for a quick run).

Figures: generation (when it ran) and the database's size; opening it (core/db.Database: the
migrations check, including SQLite's quick_check over the whole file); compute() in process for
the month, --by agent and --by day (one connection, and the default of one per CPU); the 热点专题
the CLI also finds; the CLI's wall time, process start to exit, for `seat-console stats --from
--to --json` on an empty database (start-up alone) and on the year, with and without --by.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import stats_generator  # noqa: E402

from seat_console.config import SHIPPED_SCRIPTS_PHRASES  # noqa: E402
from seat_console.core.db import Database  # noqa: E402
from seat_console.core.stats import compute, load_indicators, period  # noqa: E402

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
TARGET_MS = 2000
RUNS = 5
CLI_RUNS = 2


def month(days: int) -> tuple[date, date]:
    """The last whole month of the generated data (its tickets' later steps are in it too), or
    its last 30 days when it holds no whole month."""
    end = stats_generator.END
    first_day = end - timedelta(days=days - 1)
    last = end.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    if first < first_day:
        return max(first_day, end - timedelta(days=29)), end
    return first, last


def show(name: str, seconds: list[float], target_ms: float | None = TARGET_MS) -> None:
    ms = [s * 1000 for s in seconds]
    verdict = (f"  (target <= {target_ms:.0f} ms: "
               f"{'OK' if statistics.median(ms) <= target_ms else 'MISSED'})" if target_ms else "")
    print(f"{name:<44} median {statistics.median(ms):8.1f} ms  min {min(ms):8.1f} ms  "
          f"max {max(ms):8.1f} ms  n={len(ms)}{verdict}")


def timed(action, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        out.append(time.perf_counter() - started)
    return out


def cli(path: Path, first: date, last: date, extra: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env["SEAT_CONSOLE_DATABASE"] = str(path)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = subprocess.run([SEAT_CONSOLE, "stats", "--from", first.isoformat(),
                               "--to", last.isoformat(), "--json", *extra], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"seat-console stats failed: {done.stderr.strip()[-500:]}")
    return elapsed


def _hotspots_timer(db: Database, chosen):  # type: ignore[no-untyped-def]
    """What the CLI also runs besides compute(): the 热点专题 of the period, when available."""
    try:
        from seat_console.config import SHIPPED_KB_DATA
        from seat_console.core.stats.hotspots import find_hotspots, load_hotspot_rules
        from seat_console.core.taxonomy import load_taxonomy
        rules = load_hotspot_rules(SHIPPED_SCRIPTS_PHRASES)
        taxonomy = load_taxonomy(SHIPPED_KB_DATA)
    except (ImportError, OSError, ValueError):
        return None
    return lambda: find_hotspots(db, chosen, rules, taxonomy)


def main() -> None:
    days = int(os.environ.get("SEAT_BENCH_STATS_DAYS", "360"))
    per_day = int(os.environ.get("SEAT_BENCH_STATS_PER_DAY", "10000"))
    path, generated, counts = stats_generator.bench_db(days, per_day)
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    made = (f"generated in {generated:.0f} s" if generated is not None else
            f"cached (generated in {counts.get('seconds', '?')} s)" if counts else "cached")
    print(f"stats database: {days} days x ~{per_day:,} tickets/day, {made}, "
          f"{size / 1e9:.2f} GB: {counts}")
    first, last = month(days)
    chosen = period(first.isoformat(), last.isoformat())
    indicators = load_indicators(SHIPPED_SCRIPTS_PHRASES)

    opened: list[Database] = []
    show("stats: open hotline.db (migrate check)",
         timed(lambda: opened.append(Database(path)), 1), None)
    db = opened[0]
    try:
        report = compute(db, indicators, chosen)
        print(f"stats: month {first} .. {last}: {report.total.tickets:,} tickets, "
              f"{report.total.calls:,} calls, {len(indicators)} indicators")
        for by in (None, "agent", "day"):
            label = f"--by {by}" if by else "whole month"
            for workers in (1, None):
                how = "1 connection" if workers == 1 else f"{min(os.cpu_count() or 1, 4)} conn."
                show(f"stats: compute(), {label}, {how}",
                     timed(lambda: compute(db, indicators, chosen, by, workers=workers), RUNS))
        hotspots = _hotspots_timer(db, chosen)
        if hotspots is not None:  # the CLI finds the period's 热点专题 too (core/stats/hotspots.py)
            show("stats: 热点专题 (hotspots, in the CLI too)", timed(hotspots, 1), None)
    finally:
        db.close()
    with tempfile.TemporaryDirectory() as folder:  # start-up, imports, data files: no records
        empty = Path(folder) / "hotline.db"
        Database(empty).close()
        show("stats: CLI process, empty database", [cli(empty, first, last, [])
                                                    for _ in range(CLI_RUNS)], None)
    for extra in ([], ["--by", "agent"], ["--by", "day"]):
        show(f"stats: CLI process, {' '.join(extra) or 'whole month'}",
             [cli(path, first, last, extra) for _ in range(CLI_RUNS)])


if __name__ == "__main__":
    main()
