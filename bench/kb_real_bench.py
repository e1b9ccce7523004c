"""KB search on the labelled "real export style" data, ours beside a plain bm25s baseline.

    python bench/kb_real_bench.py [--half dev|test|all] [--misses N] [--data DIR] [--cache DIR]

All tests/data/kb_real/articles_*.jsonl files form one knowledge base (loaded with our loader);
every queries_*.jsonl line ({"query", "kind", "expected": article id}) is scored against it.
The queries are split once and for all by sha256(query + "\\0" + expected): a first hex digit
that is even puts a query in the dev half, odd in the test half. Tune on dev only; the test half
(the default here) is for figures. Per kind of query it prints n, R@1, R@5, MRR and p50 / p95 ms
for ours and for the baseline (bench/kb_baseline.py: bm25s over jieba words and title pinyin),
the ratios ours / baseline, an "all" row, and how long each took to build. `--misses N` (dev
only) lists up to N dev queries per kind that ours did not find in its top 5.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kb_baseline import Bm25Baseline  # noqa: E402
from kb_bench import WORK  # noqa: E402

from seat_console.config import SHIPPED_KB_DATA  # noqa: E402
from seat_console.core.kb.index import fingerprint, open_index  # noqa: E402
from seat_console.core.kb.loader import KbRecord, load_kb  # noqa: E402
from seat_console.core.kb.search import KbSearch  # noqa: E402
from seat_console.core.kb.synonyms import load_synonyms  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "kb_real"
KINDS = ("natural", "typo", "pinyin", "initials", "keywords")
HALVES = ("dev", "test", "all")
LIMIT = 10

Query = dict[str, str]
Search = Callable[[str, int], list[str]]


def half_of(item: Query) -> str:
    """"dev" or "test": by the first hex digit of sha256(query NUL expected), even or odd."""
    digest = hashlib.sha256(f"{item['query']}\x00{item['expected']}".encode("utf-8")).hexdigest()
    return "dev" if int(digest[0], 16) % 2 == 0 else "test"


def split(items: list[Query]) -> tuple[list[Query], list[Query]]:
    dev = [item for item in items if half_of(item) == "dev"]
    test = [item for item in items if half_of(item) == "test"]
    return dev, test


def load_articles(folder: Path) -> tuple[list[KbRecord], int]:
    """The records of every articles_*.jsonl in `folder`, and how many lines were refused."""
    result = load_kb(sorted(folder.glob("articles_*.jsonl")))
    return result.records, len(result.errors)


def load_queries(folder: Path) -> tuple[list[Query], int]:
    """The labelled queries of every queries_*.jsonl in `folder`, and how many lines were
    unreadable (a file still being written may end in half a line)."""
    items, bad = [], 0
    for path in sorted(folder.glob("queries_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if not (isinstance(obj, dict) and all(isinstance(obj.get(k), (str, int))
                                                  for k in ("query", "kind", "expected"))):
                bad += 1
                continue
            items.append({"query": str(obj["query"]), "kind": str(obj["kind"]),
                          "expected": str(obj["expected"])})
    return items, bad


@dataclass
class Scores:
    """Ranks (None: not in the top LIMIT) and ms per query, by kind; top ids per query."""
    ranks: dict[str, list[int | None]] = field(default_factory=lambda: defaultdict(list))
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    top: list[list[str]] = field(default_factory=list)

    def figures(self, kind: str | None) -> tuple[int, float, float, float, float, float]:
        """n, R@1, R@5, MRR, p50 ms, p95 ms of one kind, or of all when kind is None."""
        kinds = [kind] if kind else list(self.ranks)
        ranks = [r for k in kinds for r in self.ranks[k]]
        ms = [t for k in kinds for t in self.ms[k]]
        n = len(ranks)
        if not n:
            return 0, 0.0, 0.0, 0.0, 0.0, 0.0
        return (n, sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 5 for r in ranks) / n,
                sum(1 / r for r in ranks if r) / n, percentile(ms, 0.50), percentile(ms, 0.95))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def evaluate(search: Search, items: list[Query]) -> Scores:
    scores = Scores()
    search("warm up", LIMIT)  # first-call costs (lazy imports, caches) are not a query's time
    for item in items:
        started = time.perf_counter()
        ids = search(item["query"], LIMIT)
        elapsed = (time.perf_counter() - started) * 1000
        scores.ranks[item["kind"]].append(ids.index(item["expected"]) + 1
                                          if item["expected"] in ids else None)
        scores.ms[item["kind"]].append(elapsed)
        scores.top.append(ids)
    return scores


def build_ours(records: list[KbRecord], cache: Path) -> tuple[KbSearch, float, float, bool]:
    """Our engine opened on `cache` as the app does; (engine, seconds of a fresh build into an
    empty folder, seconds to open from `cache`, whether `cache` already held it)."""
    synonyms = load_synonyms(SHIPPED_KB_DATA / "synonyms.yaml")
    with tempfile.TemporaryDirectory() as fresh:
        started = time.perf_counter()
        open_index(records, synonyms, Path(fresh))
        built = time.perf_counter() - started
    cached = (cache / fingerprint(records, synonyms) / "meta.json").exists()
    started = time.perf_counter()
    engine = KbSearch(open_index(records, synonyms, cache), synonyms)
    return engine, built, time.perf_counter() - started, cached


def ratio(a: float, b: float) -> str:
    if b == 0:
        return "    -" if a == 0 else "  inf"
    return f"{a / b:5.2f}"


def print_table(ours: Scores, base: Scores, kinds: list[str]) -> None:
    print(f"{'kind':<10}{'n':>5} | ours: {'R@1':>5} {'R@5':>5} {'MRR':>5} {'p50ms':>6} {'p95ms':>6} "
          f"| baseline: {'R@1':>5} {'R@5':>5} {'MRR':>5} {'p50ms':>6} {'p95ms':>6} "
          f"| ours/baseline: {'R@1':>5} {'R@5':>5} {'MRR':>5}")
    for kind in [*kinds, None]:
        n, *a = ours.figures(kind)
        _, *b = base.figures(kind)
        name = kind or "all"
        if n == 0:
            print(f"{name:<10}{0:>5} | (no queries)")
            continue
        print(f"{name:<10}{n:>5} |       {a[0]:5.2f} {a[1]:5.2f} {a[2]:5.2f} {a[3]:6.2f} {a[4]:6.2f} "
              f"|           {b[0]:5.2f} {b[1]:5.2f} {b[2]:5.2f} {b[3]:6.2f} {b[4]:6.2f} "
              f"|                {ratio(a[0], b[0])} {ratio(a[1], b[1])} {ratio(a[2], b[2])}")


def print_misses(items: list[Query], ours: Scores, titles: dict[str, str], per_kind: int,
                 kinds: list[str]) -> None:
    print(f"\nDev queries ours did not find in its top 5 (up to {per_kind} per kind):")
    for kind in kinds:
        missed = [(item, top) for item, top in zip(items, ours.top)
                  if item["kind"] == kind and item["expected"] not in top[:5]][:per_kind]
        if not missed:
            continue
        print(f"\n[{kind}]")
        for item, top in missed:
            print(f"  query:    {item['query']}")
            print(f"  expected: {titles.get(item['expected'], '?')} ({item['expected']})")
            print(f"  ours:     {' | '.join(titles.get(i, i) for i in top[:3]) or '(nothing)'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=HALVES, default="test")
    parser.add_argument("--misses", type=int, default=0, metavar="N",
                        help="list up to N missed dev queries per kind (only with --half dev)")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of articles_*.jsonl and "
                        "queries_*.jsonl (default tests/data/kb_real)")
    parser.add_argument("--cache", type=Path, default=WORK / "index",
                        help="index cache folder (default: that of bench/kb_bench.py)")
    args = parser.parse_args(argv)
    if args.misses and args.half != "dev":
        parser.error(f"--misses lists queries one by one, so it is for the dev half only; the "
                     f"{args.half} half is scored as aggregate figures (use --half dev)")

    records, refused = load_articles(args.data)
    items, unreadable = load_queries(args.data)
    known = {r.id for r in records}
    unknown = [item for item in items if item["expected"] not in known]
    items = [item for item in items if item["expected"] in known]
    dev, test = split(items)
    chosen = {"dev": dev, "test": test, "all": dev + test}[args.half]
    kinds = [k for k in KINDS if any(i["kind"] == k for i in items)] + \
        sorted({i["kind"] for i in items} - set(KINDS))

    engine, built, opened, cached = build_ours(records, args.cache)
    started = time.perf_counter()
    baseline = Bm25Baseline(records)
    base_built = time.perf_counter() - started

    ours = evaluate(lambda q, n: [h.id for h in engine.search(q, n)], chosen)
    base = evaluate(baseline.search, chosen)
    print(f"\nKB search on the real-export-style data ({args.data}): {len(records)} articles, "
          f"{len(items)} labelled queries ({len(dev)} dev / {len(test)} test); half: {args.half}")
    skipped = [f"{refused} article lines refused by the loader" if refused else "",
               f"{unreadable} unreadable query lines" if unreadable else "",
               f"{len(unknown)} queries whose expected id is not in the KB" if unknown else ""]
    if any(skipped):
        print("Left out: " + "; ".join(s for s in skipped if s))
    print(f"Build: ours {built:.2f} s fresh (index built and saved), {opened:.2f} s to open "
          f"{'from the cache' if cached else '(not cached: built)'}; "
          f"baseline (bm25s + jieba + pypinyin) {base_built:.2f} s")
    print_table(ours, base, kinds)
    if args.misses:
        print_misses(chosen, ours, {r.id: r.title for r in records}, args.misses, kinds)


if __name__ == "__main__":
    main()
