"""Near-duplicate articles per district: the places mined from a KB's titles, and a search that
prefers the article of the place the query names, the general one when it names none."""

from __future__ import annotations

from pathlib import Path

from seat_console.core.kb.index import KbIndex
from seat_console.core.kb.loader import KbRecord
from seat_console.core.kb.place_titles import PlaceTitles, mine_places
from seat_console.core.kb.search import KbSearch
from seat_console.core.kb.synonyms import EMPTY

BODY = "业主反映物业服务企业不打扫卫生、不清运垃圾，可以向区住建局物业管理科投诉，要求限期整改。"
TITLES = ["物业投诉", "铁西区物业投诉", "于洪区物业投诉", "浑南区物业投诉", "铁西区公证处",
          "于洪区公证处", "浑南区公证处", "小区停车", "小区绿化", "浑南车管所", "车管所"]


def _engine() -> KbSearch:
    records = [KbRecord(f"a{i}", "article", title, BODY, [], [], "", "", None, {}, "test")
               for i, title in enumerate(TITLES)]
    return KbSearch(KbIndex.build(records, EMPTY), EMPTY)


def test_places_are_prefixes_that_head_the_same_topics() -> None:
    names = mine_places(TITLES)
    assert names["铁西区"] == names["铁西"] == "铁西区"
    assert names["于洪"] == "于洪区" and names["浑南"] == "浑南区"
    assert "小区" not in names  # heads two titles, but no other prefix heads their topics
    assert mine_places(["铁西区物业投诉", "铁西区公证处"]) == {}  # one place heads no shared topic


def test_a_place_scores_by_what_the_query_names() -> None:
    places = PlaceTitles(mine_places(TITLES))
    assert places.of_title("浑南车管所") == "浑南区" and places.of_title("车管所") is None
    assert places.in_query("我在铁西这边，物业不管") == {"铁西区"}
    assert places.factor("铁西区物业投诉", {"铁西区"}) > places.factor("物业投诉", {"铁西区"}) == 1
    assert places.factor("铁西区物业投诉", set()) < 1
    assert places.factor("铁西区物业投诉", {"于洪区"}) < places.factor("铁西区物业投诉", set())


def test_search_prefers_the_named_place_and_else_the_general_article() -> None:
    engine = _engine()
    assert engine.search("我们小区物业天天不干活上哪投诉", 3)[0].title == "物业投诉"
    assert engine.search("铁西这边物业不干活上哪投诉", 3)[0].title == "铁西区物业投诉"
    assert engine.search("于洪区物业投诉", 3)[0].title == "于洪区物业投诉"
    # typed pinyin names no place: the titles are not compared with it
    assert engine.search("tiexiqu wuye tousu", 3)[0].title == "铁西区物业投诉"


def test_the_places_are_saved_with_the_index(tmp_path: Path) -> None:
    engine = _engine()
    engine.index.save(tmp_path / "index")
    loaded = KbIndex.load(tmp_path / "index")
    assert loaded.places.names == engine.index.places.names != {}
