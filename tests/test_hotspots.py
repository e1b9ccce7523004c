"""热点专题 (core/stats/hotspots.py) on tickets stored through the real submit in a real
hotline.db: the same thing phrased differently at the same place clusters; the same text at
other places, in another 领域, outside the window or spread thinner than the window does not;
a confidential ticket's caller data appears nowhere (JSON, text, titles); hotspots.yaml errors
name the file and the line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from seat_console.cli import main
from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES, DeadlineConfig
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.errors import DataFileError
from seat_console.core.stats import period
from seat_console.core.stats.hotspots import (Hotspot, features, find_hotspots, load_hotspot_rules,
                                              place_of, similarity)
from seat_console.core.taxonomy import load_taxonomy
from seat_console.core.tickets import TicketInput, submit

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())
RULES = load_hotspot_rules(SHIPPED_SCRIPTS_PHRASES)
TAXONOMY = load_taxonomy(SHIPPED_KB_DATA)
SITE = "210102"
NOISE, PARKING = "huanjing.zaosheng", "jiaotong.tingche"
NOVEMBER = period("2026-11-01", "2026-11-30")
# the confidential caller of the 创新路 专题: none of this may appear in any output
SECRET_NAME, SECRET_PHONE = "欧阳娜娜", "13800138000"
SECRET_ADDRESS = "浑南区创新路66号阳光小区2号楼"


def new_ticket(db: Database, at: str, content: str, *, domain: str = NOISE,
               address: str = "沈阳市浑南区浑南东路5号", **fields: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = dict(
        caller_name="钱女士", caller_phone="13912345678", caller_address=address,
        request_type="complaint", content=content, domain=domain, disposition="transfer",
        department="市生态环境局", dispatch_opinion="请核实并处理")
    values.update(fields)
    with clock.travel(f"{at}.000+08:00", frozen=True):
        return submit(db, TicketInput(**values), site_code=SITE,  # type: ignore[arg-type]
                      agent_id="8001", draft_slot=None, deadlines=POLICY)


def build(db: Database) -> dict[str, list[str]]:
    """Ticket numbers by role (clock of the tests: 2026-11-25 10:00)."""
    made: dict[str, list[str]] = {}

    def add(role: str, *args: object, **kwargs: object) -> None:
        ticket = new_ticket(db, *args, **kwargs)  # type: ignore[arg-type]
        made.setdefault(role, []).append(ticket.number)

    # 创新路: one thing said four ways, the place in the content, in 事发地点 or only the road;
    # the callers live elsewhere; one is confidential and says its name and number.
    add("innovation", "2026-11-20T22:10:00", "市民反映浑南区创新路工地夜间施工噪音扰民")
    add("innovation", "2026-11-21T23:05:00", "晚上十一点了创新路那边工地还在打桩,太吵了睡不着",
        address="浑南区金阳街1号", co_departments=["浑南区城市管理局"])
    add("innovation", "2026-11-23T00:30:00", "半夜施工噪声很大,希望管一管",
        incident_place="浑南区创新路", demand="要求停止夜间施工")
    add("innovation", "2026-11-25T09:00:00",
        f"创新路工地深夜施工吵得孩子无法入睡,我叫{SECRET_NAME}电话{SECRET_PHONE}",
        caller_name=SECRET_NAME, caller_phone=SECRET_PHONE, caller_address=SECRET_ADDRESS,
        confidential=True)
    # the same place and 领域 but another matter: not in the 专题
    add("other_matter", "2026-11-22T21:00:00", "创新路夜市烧烤摊音响放歌到深夜")
    # the same words at three other places: one ticket each, no 专题
    for road in ("和平区北站路", "和平区青年大街", "沈河区长江街"):
        add("elsewhere", "2026-11-21T22:00:00", f"{road}工地夜间施工噪音扰民")
    # the same words and place in another 领域: two noise tickets and one 违停, no 专题
    add("domains", "2026-11-21T08:00:00", "皇姑区南京街工地夜间施工噪音扰民")
    add("domains", "2026-11-21T09:00:00", "皇姑区南京街工地夜间施工噪音扰民")
    add("domains", "2026-11-21T10:00:00", "皇姑区南京街工地夜间施工噪音扰民", domain=PARKING)
    # outside the window: two close together, the third 12 days on
    add("window", "2026-11-01T22:00:00", "铁西区文化路工地夜间施工噪音扰民")
    add("window", "2026-11-03T22:00:00", "铁西区文化路工地夜间施工噪音扰民")
    add("window", "2026-11-15T22:00:00", "铁西区文化路工地夜间施工噪音扰民")
    # spread thinner than the window: each within 7 days of the last, never 3 in 7 days
    add("thin", "2026-11-02T22:00:00", "大东区小河沿路工地夜间施工噪音扰民")
    add("thin", "2026-11-08T22:00:00", "大东区小河沿路工地夜间施工噪音扰民")
    add("thin", "2026-11-14T22:00:00", "大东区小河沿路工地夜间施工噪音扰民")
    # October: outside the period
    add("october", "2026-10-29T22:00:00", "于洪区永安街道工地夜间施工噪音扰民")
    add("october", "2026-10-30T22:00:00", "于洪区永安街道工地夜间施工噪音扰民")
    add("october", "2026-10-31T22:00:00", "于洪区永安街道工地夜间施工噪音扰民")
    return made


def by_title(found: list[Hotspot]) -> dict[str, Hotspot]:
    return {h.title: h for h in found}


def test_same_matter_phrased_differently_clusters_and_nothing_else_does(db: Database) -> None:
    made = build(db)
    found = find_hotspots(db, NOVEMBER, RULES, TAXONOMY)
    assert len(found) == 1, [h.title for h in found]
    spot = found[0]
    assert spot.numbers == tuple(made["innovation"])  # all four, oldest first, nothing else
    assert spot.count == 4 and spot.domain == NOISE and spot.domain_name == "噪声扰民"
    assert spot.place == "浑南区创新路"
    assert spot.title.startswith("浑南区创新路 · 噪声扰民")
    assert spot.first_at.startswith("2026-11-20T22:10")
    assert spot.last_at.startswith("2026-11-25T09:00")
    assert spot.departments == ("市生态环境局", "浑南区城市管理局")  # most frequent first
    assert spot.recent == 1 and spot.growing  # the 09:00 ticket, within a day of now (10:00)


def test_the_period_decides_and_growing_means_a_ticket_in_its_last_day(db: Database) -> None:
    made = build(db)
    # October's three tickets are a 专题 of October, the last on its last day
    october = find_hotspots(db, period("2026-10-01", "2026-10-31"), RULES, TAXONOMY)
    assert [h.numbers for h in october] == [tuple(made["october"])]
    assert october[0].place == "于洪区永安街道" and october[0].growing
    # up to 11-24: three of 创新路 (not the 11-25 one); none on 11-24: no longer growing
    until = find_hotspots(db, period("2026-11-01", "2026-11-24"), RULES, TAXONOMY)
    assert [h.numbers for h in until] == [tuple(made["innovation"][:3])]
    assert (until[0].recent, until[0].growing) == (0, False)
    # up to 11-23: the 00:30 ticket is on the last day
    until = find_hotspots(db, period("2026-11-01", "2026-11-23"), RULES, TAXONOMY)
    assert (until[0].recent, until[0].growing) == (1, True)
    assert find_hotspots(db, period("2026-11-01", "2026-11-21"), RULES, TAXONOMY) == []


def numbers(db: Database, folder: Path) -> set[tuple[str, ...]]:
    """The ticket numbers of each 专题 of November under the rules of `folder`."""
    return {h.numbers for h in find_hotspots(db, NOVEMBER, load_hotspot_rules(folder), TAXONOMY)}


def test_thresholds_come_from_the_data_file(db: Database, tmp_path: Path) -> None:
    made = build(db)
    folder = tmp_path / "phrases"
    shutil.copytree(SHIPPED_SCRIPTS_PHRASES, folder)
    path = folder / "hotspots.yaml"
    text = path.read_text(encoding="utf-8")
    # two tickets make a 专题: now 南京街 (two noise tickets) and 文化路 (11-01, 11-03) are
    path.write_text(text.replace("min_tickets: 3 ", "min_tickets: 2 "), encoding="utf-8")
    found = numbers(db, folder)
    assert tuple(made["domains"][:2]) in found  # the 违停 ticket stays out
    assert tuple(made["window"][:2]) in found  # the 11-15 one stays out
    # a window of 14 days: 小河沿路 (11-02, 11-08, 11-14) is now dense enough
    path.write_text(text.replace("window_days: 7 ", "window_days: 14 "), encoding="utf-8")
    assert tuple(made["thin"]) in numbers(db, folder)
    # a strict similarity: the differently phrased tickets no longer reach 3
    path.write_text(text.replace("similarity: 0.3 ", "similarity: 0.95 "), encoding="utf-8")
    assert find_hotspots(db, NOVEMBER, load_hotspot_rules(folder), TAXONOMY) == []


def test_confidential_caller_data_never_appears(db: Database, config_file: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    build(db)
    # a 专题 only confidential callers name (their address): shown as the district alone
    for day in ("21", "22", "23"):
        new_ticket(db, f"2026-11-{day}T08:00:00", "楼下广场舞音响太吵", caller_name="诸葛明",
                   caller_phone="13700137000", caller_address="浑南区幸福小区3号楼1单元",
                   confidential=True)
    assert main(["--config", str(config_file), "stats", "--from", "2026-11-01", "--to",
                 "2026-11-30", "--json"]) == 0
    assert "hotspots" not in json.loads(capsys.readouterr().out)  # only when asked for
    code = main(["--config", str(config_file), "stats", "--from", "2026-11-01",
                 "--to", "2026-11-30", "--json", "--hotspots"])
    assert code == 0
    out = capsys.readouterr().out
    answer = json.loads(out)
    assert list(answer)[-1] == "hotspots" and list(answer)[:6] == [
        "from", "to", "tickets", "calls", "indicators", "groups"]
    titles = [h["title"] for h in answer["hotspots"]]
    assert any(t.startswith("浑南区创新路 · 噪声扰民") for t in titles)
    masked = [h for h in answer["hotspots"] if h["place"] == "浑南区****"]
    assert len(masked) == 1 and masked[0]["count"] == 3 and masked[0]["title"].startswith(
        "浑南区**** · 噪声扰民")
    assert main(["--config", str(config_file), "stats", "--from", "2026-11-01",
                 "--to", "2026-11-30", "--hotspots"]) == 0
    text = capsys.readouterr().out
    assert "热点专题(共 2 个" in text and "浑南区创新路 · 噪声扰民" in text
    for secret in (SECRET_NAME, "娜娜", SECRET_PHONE, "0013", "创新路66号", "阳光小区", "2号楼",
                   "诸葛", "13700137000", "幸福小区", "3号楼"):
        assert secret not in out and secret not in text, secret


def test_place_of_reads_the_most_telling_text() -> None:
    def place(incident: str = "", content: str = "", demand: str = "", address: str = "") -> str:
        found = place_of((incident, content, demand, address), RULES)
        return f"{found.district}|{found.name}"

    # the place of the 诉求, not where the caller lives; 沈阳市 is above the district
    assert place(content="市民反映浑南区创新路有工地夜间施工", address="沈阳市和平区北站路1号") \
        == "浑南区|创新路"
    assert place("沈阳市浑南区创新路") == "浑南区|创新路"
    # the most specific name wins; a number's unit starts no name (88号|阳光小区)
    assert place(address="沈阳市浑南区创新路88号阳光小区3号楼") == "浑南区|阳光小区"
    assert place(content="南湖公园小区垃圾没人清") == "|南湖公园小区"
    assert place(content="沈北新区道义街道秸秆焚烧") == "沈北新区|道义街道"
    # words that only look like places: 我们小区, 路灯, 修路, 市场监管, 超市
    assert place(content="我们小区门口路灯不亮") == "|"
    assert place(content="夜里修路太吵") == "|"
    assert place(content="请市场监管部门去超市查一下") == "|"
    # the district of another free text, never the caller's address alone
    assert place("创新路", "浑南区那边", address="和平区北站路1号") == "浑南区|创新路"
    assert place("创新路", address="和平区北站路1号") == "|创新路"


def test_similarity_reads_same_meaning_words_as_one() -> None:
    a = features("工地夜间施工噪音扰民", RULES)
    b = features("半夜打桩太吵", RULES)  # 半夜 = 夜间, 打桩 = 施工, 太吵 = 噪音
    c = features("烧烤摊油烟太大", RULES)
    assert similarity(a, b) >= RULES.similarity > similarity(a, c)
    assert similarity(a, frozenset()) == 0.0


def test_malformed_hotspots_file_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    path = folder / "hotspots.yaml"
    source = (SHIPPED_SCRIPTS_PHRASES / "hotspots.yaml").read_text(encoding="utf-8")
    path.write_text(source.replace("similarity: 0.3 ", "similarity: 3 "), encoding="utf-8")
    line = next(i for i, text in enumerate(source.splitlines(), 1) if text.startswith("similarity"))
    with pytest.raises(DataFileError) as error:
        load_hotspot_rules(folder)
    assert str(error.value).startswith(f"{path}:{line}: 'similarity' must be a number")
    path.write_text(source.replace("districts: [新区, 区, 县, 旗]", "districts: [新区, 区, 县, 路]"),
                    encoding="utf-8")
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "大马路" in text)
    with pytest.raises(DataFileError) as error:
        load_hotspot_rules(folder)
    assert str(error.value).startswith(f"{path}:{line}: suffix '路' is listed twice")
    path.write_text(source.replace("window_days: 7 ", "window_day: 7 "), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"hotspots.yaml:\d+: unknown key 'window_day'"):
        load_hotspot_rules(folder)
