"""Near-duplicate articles per district (铁西区物业投诉, 于洪区物业投诉, … beside 物业不作为), as real
hotline exports hold them: the places are mined from the KB's own titles when the index is
built, and a search prefers the article of the place the query names, and the general article
when it names none.

A title prefix ending in 区/县/市 (at most six characters, two more after it) is a place when
it heads at least two titles and one of the topics after it also follows another prefix: 小区
heads 小区停车 and 小区绿化, but no other prefix heads their topics. A place is also known by its
name without 区/县/市 (浑南车管所, 大东这边), when that name has two characters or more.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

_PREFIX = re.compile(r"^([\u4e00-\u9fff]{1,5}?[区县市])(?=[\u4e00-\u9fff]{2})")
# score factors for an article of a place: the query names it / names no place / names another
SAME_PLACE = 1.15
NO_PLACE = 0.85
OTHER_PLACE = 0.75


def mine_places(titles: Iterable[str]) -> dict[str, str]:
    """Names that start titles as places -> the place they name (铁西 -> 铁西区)."""
    topics: defaultdict[str, set[str]] = defaultdict(set)
    for title in titles:
        found = _PREFIX.match(title)
        if found:
            topics[found.group(1)].add(title[found.end():])
    heads = Counter(topic for shared in topics.values() for topic in shared)
    names: dict[str, str] = {}
    for prefix, shared in topics.items():
        if len(shared) >= 2 and any(heads[topic] >= 2 for topic in shared):
            names[prefix] = prefix
            if len(prefix) >= 3:
                names.setdefault(prefix[:-1], prefix)
    return names


class PlaceTitles:
    """The mined places of one KB, and the factor they give an article's score for a query."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        longest_first = sorted(names, key=len, reverse=True)  # 铁西区 before 铁西
        self._pattern = (re.compile("|".join(map(re.escape, longest_first)))
                         if longest_first else None)

    def in_query(self, query: str) -> set[str]:
        if self._pattern is None:
            return set()
        return {self.names[m.group()] for m in self._pattern.finditer(query)}

    def of_title(self, title: str) -> str | None:
        found = self._pattern.match(title) if self._pattern is not None else None
        return self.names[found.group()] if found else None

    def factor(self, title: str, named: set[str]) -> float:
        """1 for an article of no place; otherwise by the places the query names (`named`)."""
        place = self.of_title(title)
        if place is None:
            return 1.0
        return SAME_PLACE if place in named else OTHER_PLACE if named else NO_PLACE
