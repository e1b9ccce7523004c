"""Benchmarks: run with `make bench`; prints one line per figure.

- cold start: process spawn to first screen drawn (first run creates and seeds hotline.db;
  later runs open it), measured on a real pty.
- keystroke echo: time from a key written to the pty until the console draws it, while
  typing Chinese into the ticket form and into the KB search box (search runs per keystroke).
- the form under load: keystroke to screen while search, checks, autosave and sync run, and
  keys misrouted at 20 ms intervals under two CPU hogs (bench/form_bench.py).
- forbidden-phrase checker: µs per 500 characters (bench/checker.py); precision, recall, F1
  and false alarms on the labelled sets beside a plain substring baseline
  (bench/forbidden_scores.py).
- scope and emergencies: quality on the test half and the holdout (never tuned on) beside the
  old trigger lists as plain substrings, and µs per 500 characters (bench/scope_bench.py).
- sync: bytes per ticket, 1,000 tickets through 256 kbit/s, center ingest (bench/sync_bench.py).
- KB search: quality per kind of query, speed at 1k/20k/100k articles beside a rapidfuzz full
  scan, and keystroke lag in the app (bench/kb_bench.py; the first run builds the generated
  KBs and their indexes, several minutes, then reuses them).
- KB search on the labelled real-export-style data (tests/data/kb_real), test half: R@1, R@5,
  MRR and p50/p95 ms per kind of query beside a plain bm25s + jieba + pypinyin baseline, and
  both build times (bench/kb_real_bench.py; bench/kb_baseline.py).
- statistics: `seat-console stats` for one month in a year of ~10,000 tickets a day, in process
  and as a CLI process (bench/stats_bench.py; the first run generates the database, several
  minutes, then reuses it; SEAT_BENCH_STATS_DAYS=45 makes it smaller).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checker as checker_bench  # noqa: E402
import forbidden_scores  # noqa: E402
import form_bench  # noqa: E402
import kb_bench  # noqa: E402
import kb_real_bench  # noqa: E402
import scope_bench  # noqa: E402
import stats_bench  # noqa: E402
import sync_bench  # noqa: E402

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
FIRST_SCREEN = "工单 F5"
RUNS = 5
SAMPLE = "市民反映小区供暖温度不达标要求供热公司尽快上门检修"


def spawn(folder: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env.update(TERM="xterm-256color", SEAT_CONSOLE_DATABASE=str(folder / "hotline.db"),
               SEAT_CONSOLE_CTI_PORT="0")
    child = pexpect.spawn(SEAT_CONSOLE, env=env, cwd=str(folder), dimensions=(36, 120),
                          encoding="utf-8", codec_errors="replace", timeout=30)
    child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
    return child


def cold_start(folder: Path) -> float:
    started = time.perf_counter()
    child = spawn(folder)
    child.expect(FIRST_SCREEN)
    elapsed = time.perf_counter() - started
    child.sendcontrol("q")
    child.expect(pexpect.EOF)
    return elapsed


def echo_latencies(child: pexpect.spawn, text: str) -> list[float]:
    """Type `text` one character at a time; the echo is the field's line redrawn with it."""
    latencies = []
    for index, char in enumerate(text):
        started = time.perf_counter()
        child.send(char)
        child.expect_exact(text[max(0, index - 5):index + 1])
        latencies.append(time.perf_counter() - started)
        time.sleep(0.15)  # a fast agent: ~400 characters a minute
    return latencies


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def report(name: str, values: list[float], target_ms: float | None = None) -> None:
    ms = [v * 1000 for v in values]
    target = f"  (target <= {target_ms:.0f} ms: {'OK' if max(ms) <= target_ms else 'MISSED'})" \
        if target_ms else ""
    print(f"{name:<34} median {statistics.median(ms):7.1f} ms  p95 {p95(ms):7.1f} ms  "
          f"max {max(ms):7.1f} ms  n={len(ms)}{target}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = cold_start(folder)
        later = [cold_start(folder) for _ in range(RUNS)]
        report("cold start, first run (seeding)", [first], 1000)
        report("cold start, existing hotline.db", later, 1000)

        child = spawn(folder)
        child.expect(FIRST_SCREEN)
        time.sleep(0.5)
        for _ in range(5):  # name -> phone -> address -> type -> 保密 -> 诉求内容
            child.send("\t")
            time.sleep(0.1)
        form = echo_latencies(child, SAMPLE)
        child.send("\x1bOR")  # F3: knowledge base search box
        time.sleep(0.3)
        kb = echo_latencies(child, "供暖温度不达标装修噪音公积金提取")
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
        report("keystroke echo, ticket form", form, 50)
        report("keystroke echo, KB search box", kb, 50)
    form_bench.main()
    checker_bench.main()
    forbidden_scores.main()
    scope_bench.main()
    sync_bench.main()
    kb_bench.main()
    kb_real_bench.main([])
    stats_bench.main()


if __name__ == "__main__":
    main()
