"""Whether a place outside Liaoning makes a matter out of scope (涉及辽宁省以外的各类事项), from
the places of the gazetteer and the `out_of_province` settings of scope.yaml."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import ahocorasick_rs

from seat_console.core.phrases.gazetteer import Place
from seat_console.core.phrases.scope_text import clause_bounds


@dataclass(frozen=True)
class OutOfProvince:
    """How a place outside Liaoning makes a matter out of scope (scope.yaml `out_of_province`)."""

    there: re.Pattern[str]  # right after the place: the matter is there (那边的事)
    not_the_matter: re.Pattern[str]  # right after the place: origin, street, brand (河北人, 北京路)
    negated_before: re.Pattern[str]  # before any place, in its clause: not it (不是四平那个)
    not_the_matter_before: re.Pattern[str]  # before a Liaoning place, in its clause (现居住在铁岭)
    handled_here: re.Pattern[str]  # anywhere: a Liaoning matter naming elsewhere (社保转回)
    at_place_before: re.Pattern[str]  # before a place, in its clause: it happens there (在长春买的)
    at_place_after: re.Pattern[str]  # right after a place: it happens there (吉林省某小区)
    lives_here: re.Pattern[str]  # right after a Liaoning place: the caller lives there (在大连工作)
    caller_is_there: re.Pattern[str]  # before an outside place, in its clause, with
    caller_is_there_after: re.Pattern[str]  # right after it: where the caller is, not where the
    # matter is (我在上海，想给我妈办高龄补贴，她在皇姑区住; not 我在长春有套房子)
    bare_name_cue: re.Pattern[str]  # right after a bare county name (会宁那边, 会宁县城) …
    bare_name_cue_before: re.Pattern[str]  # … or before it in its clause (老家是会宁, 家在安溪):
    # it is the place (not 来安 in 来安全检查)


KEYS = ("there", "not_the_matter", "negated_before", "not_the_matter_before", "handled_here", "at_place_before",
        "at_place_after", "lives_here", "caller_is_there", "caller_is_there_after", "bare_name_cue",
        "bare_name_cue_before")


class OutsidePlaces:
    """find(compact) -> (start, end, rule) of the place outside Liaoning that puts the matter
    out of scope, or None. Names are matched longest first (朝阳区 before 朝阳)."""

    def __init__(self, places: list[Place], settings: OutOfProvince,
                 compact: Callable[[str], str]) -> None:
        self._places = places
        self._settings = settings
        self._finder = ahocorasick_rs.AhoCorasick(
            [compact(p.name) for p in places], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def find(self, compact: str) -> tuple[int, int, str] | None:
        """A place outside Liaoning where the matter is (see OutOfProvince): a matter handled
        here (社保转回沈阳) is in scope; else a place followed by `there` is out; else a place is
        out unless a Liaoning place or a local word is named too, and a Liaoning place named
        beside one where something happens (在长春买的) counts only if something happens there
        too (在营口开的分店; 在大连工作 is where the caller lives, not where something happens, and
        so is 我在上海 of an outside place)."""
        found = self._finder.find_matches_as_indexes(compact)
        if not found:
            return None
        settings = self._settings
        mentions: list[tuple[Place, int, int]] = []
        previous_end = -1
        for index, start, end in found:
            place = self._places[index]
            after_a_place, previous_end = start == previous_end, end
            if place.side == "none":
                continue  # a word that only holds a place name (医保定点)
            if place.side == "local" and after_a_place:
                continue  # 天津这边: the place before it, not here
            if place.side != "local":
                if settings.not_the_matter.match(compact, end):
                    continue  # 河北人, 北京路, 兰州拉面: not where the matter is
                left, right = clause_bounds(compact, start, end)
                if place.bare and not self._cued(compact, left, start, end):
                    continue  # 来安全检查: a bare county name with nothing saying it is a place
                if settings.negated_before.search(compact[left:start]):
                    continue  # 不是四平那个: the place is denied
                if place.side != "outside" and \
                        settings.not_the_matter_before.search(compact[left:start]):
                    continue  # 现居住在铁岭, 我们是营口的: where the caller lives or is from
                if place.side == "liaoning" and self._caller_is_at(compact, left, start, end, right):
                    continue  # 我现在在大连，请问…: where the caller is, not where the matter is
            mentions.append((place, start, end))
        sure = {p.side for p, _, _ in mentions if p.side != "ambiguous"}
        here = bool(sure & {"liaoning", "local"})
        elsewhere = "outside" in sure
        outside, happens = [], {"liaoning": False, "outside": False}
        for place, start, end in mentions:
            side = place.side
            if side == "ambiguous":
                side = place.default if here == elsewhere else ("liaoning" if here else "outside")
            if side == "outside":
                outside.append((start, end))
            elif side == "liaoning":
                here = True
            if side == "liaoning" and settings.lives_here.match(compact, end):
                continue  # 其在大连工作: where the caller lives or works, not where it happens
            if side in happens and not happens[side]:
                left, right = clause_bounds(compact, start, end)
                if side == "outside" and self._caller_is_at(compact, left, start, end, right):
                    continue  # 我在上海: where the caller is; the matter may be here
                happens[side] = bool(settings.at_place_after.match(compact, end)
                                     or settings.at_place_before.search(compact[left:start]))
        if not outside or settings.handled_here.search(compact):
            return None
        for start, end in outside:
            if settings.there.match(compact, end):
                return start, end, "outside_place_there"
        if here and (happens["liaoning"] or not happens["outside"]):
            return None
        return (*outside[0], "outside_place")

    def _cued(self, compact: str, left: int, start: int, end: int) -> bool:
        """A cue beside the bare county name at compact[start:end] (its clause starting at
        left) says it is a place."""
        settings = self._settings
        return bool(settings.bare_name_cue.match(compact, end)
                    or settings.bare_name_cue_before.search(compact[left:start]))

    def _caller_is_at(self, compact: str, left: int, start: int, end: int, right: int) -> bool:
        """The place at compact[start:end] (its clause from left to right) is where the caller
        is (我在上海，想…; 我现在在大连，请问…), not where something happens."""
        settings = self._settings
        return bool(settings.caller_is_there.search(compact[left:start])) and (
            end == right or settings.caller_is_there_after.match(compact, end) is not None)
