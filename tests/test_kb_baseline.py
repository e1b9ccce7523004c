"""The plain KB search baseline (bench/kb_baseline.py) and the real-data bench that scores ours
beside it (bench/kb_real_bench.py): the baseline finds titles by pinyin, initials and a Chinese
question; the dev/test split is fixed; the bench runs on a tiny data folder of its own."""

from __future__ import annotations

import hashlib
import json
from itertools import count
from pathlib import Path

import pytest

from bench import kb_real_bench
from bench.kb_baseline import Bm25Baseline
from seat_console.core.kb.loader import load_kb

ARTICLES = [
    {"id": "1", "title": "公积金提取", "body": "住房公积金提取需要身份证、银行卡，购房、租房、退休均可提取。"},
    {"id": "2", "title": "社保卡补办", "body": "社保卡丢失后先挂失，再到银行网点或者社保大厅补办新卡。"},
    {"id": "3", "title": "供暖不热", "body": "室温低于18度的，可以联系供热公司上门检测，不达标的退还部分采暖费。"},
    {"id": "4", "title": "装修噪音扰民", "body": "装修施工时间为工作日8点至12点、14点至18点，超时施工可以向物业反映。"},
    {"id": "5", "title": "新生儿落户", "body": "新生儿出生一个月内，凭出生医学证明到派出所申报出生登记。"},
    {"id": "6", "title": "出租车拒载", "body": "出租车拒载、绕路的，记下车牌号和时间，拨打交通服务热线投诉。"},
]
QUERIES = {  # kind -> (query, expected id)
    "natural": ("我想把住房公积金取出来要带什么", "1"),
    "typo": ("社保卡不办", "2"),
    "pinyin": ("gongnuan bure", "3"),
    "initials": ("zxzyrm", "4"),
    "keywords": ("新生儿 落户", "5"),
}


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                    encoding="utf-8")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Bm25Baseline:
    path = tmp_path_factory.mktemp("kb") / "articles_1.jsonl"
    write_jsonl(path, ARTICLES)
    return Bm25Baseline(load_kb([path]).records)


@pytest.mark.parametrize(("query", "expected"), [
    ("gongjijintiqu", "1"),     # the whole title's pinyin
    ("gongjijin", "1"),         # one word's pinyin
    ("shebaoka buban", "2"),    # words' pinyin, space separated
    ("sbk", "2"),               # one word's initials
    ("czcjz", "6"),             # the whole title's initials
    ("社保卡丢了怎么补办", "2"),  # a Chinese question
    ("家里暖气不热怎么办", "3"),
])
def test_baseline_finds_titles(baseline: Bm25Baseline, query: str, expected: str) -> None:
    assert baseline.search(query, 3)[0] == expected


def test_baseline_nothing_for_unknown_words(baseline: Bm25Baseline) -> None:
    assert baseline.search("xyzqwv", 5) == []
    assert baseline.search("  ", 5) == []


def test_split_is_deterministic_disjoint_and_complete() -> None:
    items, _ = kb_real_bench.load_queries(kb_real_bench.DATA)
    items += [{"query": f"查询{i}", "kind": "natural", "expected": str(i)} for i in range(200)]
    dev, test = kb_real_bench.split(items)
    assert (dev, test) == kb_real_bench.split(list(items))
    assert len(dev) + len(test) == len(items)
    key = [(i["query"], i["expected"]) for i in items]
    assert sorted(key) == sorted([(i["query"], i["expected"]) for i in dev + test])
    assert not {(i["query"], i["expected"]) for i in dev} & {(i["query"], i["expected"])
                                                            for i in test}
    assert dev and test  # both halves get a share
    # the rule itself: sha256(query NUL expected), first hex digit even -> dev
    for item in items[:50]:
        digit = hashlib.sha256(f"{item['query']}\x00{item['expected']}".encode()).hexdigest()[0]
        assert (item in dev) == (int(digit, 16) % 2 == 0)


def dev_queries() -> list[dict[str, str]]:
    """One query of each kind that falls in the dev half (a trailing ？ added until it does)."""
    rows = []
    for kind, (query, expected) in QUERIES.items():
        for extra in count():
            row = {"query": query + "？" * extra, "kind": kind, "expected": expected}
            if kb_real_bench.half_of(row) == "dev":
                rows.append(row)
                break
    return rows


def test_bench_prints_a_row_per_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "kb_real"
    data.mkdir()
    write_jsonl(data / "articles_1.jsonl", ARTICLES[:3])
    write_jsonl(data / "articles_2.jsonl", ARTICLES[3:])  # all files form one KB
    rows = dev_queries()
    write_jsonl(data / "queries_1.jsonl", rows[:2])
    write_jsonl(data / "queries_2.jsonl", rows[2:])
    with (data / "queries_2.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"query": "half a li')  # a file still being written
    kb_real_bench.main(["--half", "dev", "--misses", "3", "--data", str(data),
                        "--cache", str(tmp_path / "index")])
    out = capsys.readouterr().out
    assert "6 articles, 5 labelled queries (5 dev / 0 test)" in out
    assert "1 unreadable query lines" in out
    lines = out.splitlines()
    for kind in (*QUERIES, "all"):
        row = next(line for line in lines if line.startswith(kind + " "))
        assert row.split()[1] == ("5" if kind == "all" else "1")
    assert "Build: ours" in out and "baseline (bm25s" in out
    assert (tmp_path / "index").is_dir()


def test_bench_refuses_misses_on_the_test_half(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        kb_real_bench.main(["--half", "test", "--misses", "5", "--data", str(tmp_path),
                            "--cache", str(tmp_path / "index")])
    assert "dev half only" in capsys.readouterr().err
