"""Scale the sample KB up to N articles for benchmarks: the originals plus variants made by
recombining titles, keywords and body sentences of articles of the same category with
district names and years (so vocabulary and posting lengths stay realistic).

    python bench/kb_generator.py 100000 /tmp/kb100k.jsonl
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from seat_console.config import SHIPPED_KB_DATA
from seat_console.core.kb.loader import KbRecord, load_kb

DISTRICTS = ["和平区", "沈河区", "大东区", "皇姑区", "铁西区", "浑南区", "于洪区", "沈北新区",
             "苏家屯区", "辽中区", "新民市", "康平县", "法库县"]
QUALIFIERS = ["办理指南", "常见问题", "政策解读", "办事流程", "注意事项", "材料清单", "答疑"]
SENTENCE = re.compile(r"[^。;;]+[。;;]?")


def generate(count: int, seed: int = 7) -> list[dict[str, object]]:
    originals = [r for r in load_kb([SHIPPED_KB_DATA]).records if r.kind == "article"]
    by_category: dict[str, list[KbRecord]] = defaultdict(list)
    for record in originals:
        by_category[record.category].append(record)
    rng = random.Random(seed)
    rows: list[dict[str, object]] = [_row(r) for r in originals]
    serial = 0
    while len(rows) < count:
        base = rng.choice(originals)
        peers = by_category[base.category]
        other = rng.choice(peers)
        sentences = SENTENCE.findall(base.body) + SENTENCE.findall(other.body)
        rng.shuffle(sentences)
        serial += 1
        district = rng.choice(DISTRICTS)
        rows.append({
            "id": f"gen-{serial:06d}",
            "title": f"{district}{base.title}{rng.choice(QUALIFIERS)}({2020 + serial % 7}版)",
            "body": "".join(sentences[: rng.randint(2, 5)]),
            "keywords": rng.sample(base.keywords + other.keywords,
                                   k=min(4, len(base.keywords + other.keywords))),
            "synonyms": base.synonyms[:2],
            "category": base.category,
            "department": base.department,
            "updated": f"20{20 + serial % 7}-0{1 + serial % 9}-1{serial % 9}",
        })
    return rows[:count]


def _row(record: KbRecord) -> dict[str, object]:
    row: dict[str, object] = {"id": record.id, "title": record.title, "body": record.body,
                              "keywords": record.keywords, "category": record.category,
                              "department": record.department}
    if record.synonyms:
        row["synonyms"] = record.synonyms
    return row


def write(count: int, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in generate(count):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))
