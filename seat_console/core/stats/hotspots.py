"""热点专题 (GB/T 33358 5.6.2): clusters of similar 诉求 — the same 诉求领域, the same place and
similar text, at least `min_tickets` of them within `window_days` — listed with their tickets.

Every word list and threshold is data (scripts_phrases/hotspots.yaml, loaded with errors naming
the file and the line). The work is bounded: one SQL query pulls the few columns needed for the
period, tickets are grouped by (领域, place) first, and only inside a group (capped at
`max_tickets_per_place`) are texts compared, each with the newest `max_open_clusters` open
clusters of that place. Nothing is written.

A confidential ticket's caller data never leaves this module: the caller's name and phone are
read only to mask the ticket's text before a key phrase is taken from it, and a place named
only by confidential tickets is shown masked (浑南区****)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql_text

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.masking import mask_address, mask_text
from seat_console.core.phrases.data_file import mapping, open_document, whole_number
from seat_console.core.stats.period import Period
from seat_console.core.yaml_source import YamlDocument

if TYPE_CHECKING:  # the taxonomy's search imports pinyin: not needed to find 专题
    from seat_console.core.taxonomy import Taxonomy

HOTSPOTS_FILE = "hotspots.yaml"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_PHRASE_LENGTHS = range(12, 1, -1)  # key phrases of 12 down to 2 characters
_REPRESENTATIVES = 5  # a cluster is compared through its first and latest members
_PHRASE_SAMPLE = 200  # members a key phrase is taken from (the latest)
_TOP_KEYS = {"window_days", "min_tickets", "similarity", "growing_days", "max_tickets_per_place",
             "max_open_clusters", "phrase_share", "place", "same_meaning", "ignore_words"}
_PLACE_KEYS = {"districts", "above_districts", "not_places", "not_before_suffix", "levels",
               "number_units", "longest_name", "boundaries"}
DISTRICT, ABOVE = -1, -2  # levels of the administrative parts (named places are 0, 1, 2 …)


# -- the rules of hotspots.yaml --------------------------------------------------------------

@dataclass(frozen=True)
class PlaceRules:
    districts: tuple[str, ...]
    above_districts: tuple[str, ...]
    not_places: frozenset[str]
    not_before_suffix: frozenset[str]
    levels: tuple[tuple[str, ...], ...]
    number_units: tuple[str, ...]
    longest_name: int
    boundaries: tuple[str, ...]


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of `words`, the longest first; None for no words."""
    listed = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, listed))) if listed else None


@dataclass(frozen=True)
class _Compiled:
    """The rules as the hot path reads them (built once per rules object)."""

    gaps: re.Pattern[str]  # not CJK, with a number's unit after it: no name spans it
    boundaries: re.Pattern[str] | None
    suffixes: re.Pattern[str]
    levels: dict[str, int]  # suffix -> DISTRICT, ABOVE or its index in PlaceRules.levels
    words: re.Pattern[str] | None  # same_meaning and ignore words
    canonical: dict[str, str]  # a same_meaning word -> its group's first word; ignored -> ''
    ignore: re.Pattern[str] | None

    @classmethod
    def of(cls, rules: HotspotRules) -> _Compiled:
        place = rules.place
        levels = {s: ABOVE for s in place.above_districts}
        levels.update({s: DISTRICT for s in place.districts})
        for index, level in enumerate(place.levels):
            levels.update({s: index for s in level})
        units = _alternation(place.number_units)
        gaps = re.compile(f"[^{_CJK}]+" + (f"(?:{units.pattern})?" if units else ""))
        canonical = {word: "" for word in rules.ignore_words}
        for group in rules.same_meaning:
            canonical.update({word: group[0] for word in group})
        suffixes = _alternation(levels)
        assert suffixes is not None  # districts and levels are never empty
        return cls(gaps, _alternation(place.boundaries), suffixes, levels,
                   _alternation(canonical), canonical, _alternation(rules.ignore_words))


@dataclass(frozen=True)
class HotspotRules:
    window_days: int
    min_tickets: int
    similarity: float
    growing_days: int
    max_tickets_per_place: int
    max_open_clusters: int
    phrase_share: float
    place: PlaceRules
    same_meaning: tuple[tuple[str, ...], ...]
    ignore_words: tuple[str, ...]
    compiled: _Compiled = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", _Compiled.of(self))


def _words(document: YamlDocument, loc: tuple[Any, ...], value: Any, *,
           required: bool = True) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value) or \
            not all(isinstance(w, str) and w.strip() for w in value):
        raise document.error(loc, f"'{'.'.join(map(str, loc))}' must be a "
                             f"{'non-empty ' if required else ''}list of words")
    return tuple(w.strip() for w in value)


def _share(document: YamlDocument, data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise document.error((key,), f"'{key}' must be a number above 0 and at most 1, "
                             f"got {value!r}")
    return float(value)


def _count(document: YamlDocument, data: dict[str, Any], key: str, minimum: int) -> int:
    if key not in data:
        raise document.error((), f"missing '{key}'")
    return whole_number(document, (key,), data[key], minimum)


def _unknown(document: YamlDocument, loc: tuple[Any, ...], data: dict[str, Any],
             known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise document.error(loc + (unknown[0],), f"unknown key '{unknown[0]}' "
                             f"(expected {', '.join(sorted(known))})")


def _place_rules(document: YamlDocument, value: Any) -> PlaceRules:
    data = mapping(document, ("place",), value, "the place rules")
    _unknown(document, ("place",), data, _PLACE_KEYS)
    loc = ("place",)
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        raise document.error(loc + ("levels",), "'levels' must be a non-empty list of word lists")
    levels = tuple(_words(document, loc + ("levels", i), level)
                   for i, level in enumerate(raw_levels))
    districts = _words(document, loc + ("districts",), data.get("districts"))
    above = _words(document, loc + ("above_districts",), data.get("above_districts"),
                   required=False)
    seen: dict[str, tuple[Any, ...]] = {}
    for where, words in [(("districts",), districts), (("above_districts",), above)] + \
            [(("levels", i), level) for i, level in enumerate(levels)]:
        for word in words:
            if word in seen:
                raise document.error(loc + where, f"suffix {word!r} is listed twice "
                                     f"(also under {'.'.join(map(str, seen[word]))})")
            seen[word] = where
    if "longest_name" not in data:
        raise document.error(loc, "missing 'longest_name'")
    return PlaceRules(
        districts, above,
        frozenset(_words(document, loc + ("not_places",), data.get("not_places"),
                         required=False)),
        frozenset(_words(document, loc + ("not_before_suffix",), data.get("not_before_suffix"),
                         required=False)),
        levels, _words(document, loc + ("number_units",), data.get("number_units"),
                       required=False),
        whole_number(document, loc + ("longest_name",), data["longest_name"], 1),
        _words(document, loc + ("boundaries",), data.get("boundaries"), required=False))


def load_hotspot_rules(folder: Path) -> HotspotRules:
    """The rules of `folder`/hotspots.yaml (DataFileError naming file:line when malformed)."""
    document = open_document(folder, HOTSPOTS_FILE)
    data = mapping(document, (), document.data, "the hotspot rules")
    _unknown(document, (), data, _TOP_KEYS)
    groups = data.get("same_meaning") or []
    if not isinstance(groups, list):
        raise document.error(("same_meaning",), "'same_meaning' must be a list of word lists")
    same = []
    for index, group in enumerate(groups):
        words = _words(document, ("same_meaning", index), group)
        if len(words) < 2:
            raise document.error(("same_meaning", index), "a same_meaning group needs two words")
        same.append(words)
    if "place" not in data:
        raise document.error((), "missing 'place'")
    min_tickets = _count(document, data, "min_tickets", 2)
    return HotspotRules(
        _count(document, data, "window_days", 1), min_tickets,
        _share(document, data, "similarity"), _count(document, data, "growing_days", 1),
        _count(document, data, "max_tickets_per_place", min_tickets),
        _count(document, data, "max_open_clusters", 1), _share(document, data, "phrase_share"),
        _place_rules(document, data["place"]), tuple(same),
        _words(document, ("ignore_words",), data.get("ignore_words"), required=False))


# -- places ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    district: str  # 浑南区, or '' when no district was named
    name: str  # 阳光小区 / 创新路 / 五里河街道, or '' when no place was named
    level: int  # index in PlaceRules.levels of the name's suffix

    @property
    def shown(self) -> str:
        return self.district + self.name


NOWHERE = Place("", "", 99)


def _parts(value: str, rules: HotspotRules) -> list[tuple[str, int]]:
    """(part, level) of the places named in `value`, in order: 沈阳市浑南区创新路1号阳光小区 ->
    沈阳市 (ABOVE), 浑南区 (DISTRICT), 创新路 (1), 阳光小区 (0). A part is the CJK text from
    the end of the part before it (or a gap: not CJK, a number with its unit, a boundary word)
    up to a suffix."""
    place, compiled = rules.place, rules.compiled
    text = compiled.gaps.sub("|", value)  # now only CJK and |
    if compiled.boundaries is not None:
        text = compiled.boundaries.sub("|", text)
    found: list[tuple[str, int]] = []
    last_end, last_kept = 0, False
    for match in compiled.suffixes.finditer(text):
        suffix = match.group(0)
        name = text[last_end:match.start()].rpartition("|")[2]
        if not name:  # right after a part (南湖公园|小区, 创新路|街道): the same place
            if last_kept and match.start() == last_end:
                found[-1] = (found[-1][0] + suffix, compiled.levels[suffix])
            else:
                last_kept = False
            last_end = match.end()
            continue
        name = name[-place.longest_name:]
        part = name + suffix
        last_end = match.end()
        last_kept = part not in place.not_places and name[-1] not in place.not_before_suffix
        if last_kept:
            found.append((part, compiled.levels[suffix]))
    return [(part, level) for part, level in found if part not in place.not_places]


def _district(parts: list[tuple[str, int]]) -> str:
    """The last district part (沈阳市浑南区 -> 浑南区), '' when none."""
    return next((part for part, level in reversed(parts) if level == DISTRICT), "")


def place_of(sources: Sequence[str], rules: HotspotRules) -> Place:
    """The place of a ticket from its texts, most telling first, the caller's address last
    (事发地点, 诉求内容, 诉求, 来电人地址): the most specific name of the first text naming a
    place, with the district that text names, else the one another text names (not the
    address: the caller's district says where the caller lives, not where it happened)."""
    parsed: list[list[tuple[str, int]] | None] = [None] * len(sources)
    for index, source in enumerate(sources):
        if not source:
            continue
        parts = parsed[index] = _parts(source, rules)
        best: tuple[int, str] | None = None
        for part, level in parts:  # the most specific level; of it, the first named
            if level >= 0 and (best is None or level < best[0]):
                best = (level, part)
        if best is None:
            continue
        district = _district(parts)
        for other in range(len(sources) - 1):  # not the address (the last)
            if district:
                break
            if other != index and sources[other]:
                found = parsed[other]
                if found is None:
                    found = parsed[other] = _parts(sources[other], rules)
                district = _district(found)
        return Place(district, best[1], best[0])
    return NOWHERE


# -- texts -------------------------------------------------------------------------------

def _normalised(value: str, rules: HotspotRules, drop: Iterable[str] = ()) -> str:
    """`value` with the ticket's place words cut out, each same_meaning word read as its
    group's first word and ignore words dropped (cuts are '|')."""
    out = unicodedata.normalize("NFKC", value)
    for word in drop:
        if word:
            out = out.replace(word, "|")
    pattern, canonical = rules.compiled.words, rules.compiled.canonical
    if pattern is not None:
        out = pattern.sub(lambda m: canonical[m.group(0)] or "|", out)
    return out


def features(value: str, rules: HotspotRules, drop: Iterable[str] = ()) -> frozenset[str]:
    """The character pairs of `value` (CJK runs; a one-character run counts as itself)."""
    pairs: set[str] = set()
    for run in _CJK_RUN.findall(_normalised(value, rules, drop)):
        if len(run) == 1:
            pairs.add(run)
        pairs.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(pairs)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared pairs ÷ the pairs of the shorter text (0 when either has none)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def key_phrase(texts: Sequence[str], rules: HotspotRules, avoid: str = "") -> str:
    """The longest phrase (2-12 characters) found in at least `phrase_share` of `texts` (and in
    two of them); ties go to the more frequent, then to where it stands in the first text.
    Place words and ignore words are cut out before; phrases inside `avoid` (the 领域's own
    name) are left out."""
    if not texts:
        return ""
    need = max(2, math.ceil(rules.phrase_share * len(texts)))
    ignore = rules.compiled.ignore
    runs_of = []
    for value in texts:
        value = unicodedata.normalize("NFKC", value)
        runs_of.append(_CJK_RUN.findall(ignore.sub("|", value) if ignore else value))
    first = "|".join(runs_of[0])
    for length in _PHRASE_LENGTHS:
        counts: Counter[str] = Counter()
        for runs in runs_of:
            counts.update({run[i:i + length] for run in runs
                           for i in range(len(run) - length + 1)})
        best = [(count, -first.find(p) if p in first else -len(first), p)
                for p, count in counts.items() if count >= need and p not in avoid]
        if best:
            return max(best)[2]
    return ""


# -- the 专题 ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hotspot:
    title: str  # 浑南区创新路 · 噪声扰民 · 夜间施工
    domain: str  # the taxonomy leaf code
    domain_name: str  # 噪声扰民 (the code when the taxonomy does not know it)
    place: str  # 浑南区创新路; masked (浑南区****) when only confidential tickets named it
    phrase: str  # the most common key phrase, '' when none
    count: int
    first_at: str  # ISO stamps of the first and latest ticket
    last_at: str
    numbers: tuple[str, ...]  # ticket numbers, oldest first
    departments: tuple[str, ...]  # lead and co-handling departments, most frequent first
    recent: int  # tickets in the last `growing_days` days of the period
    growing: bool

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "domain": self.domain, "domain_name": self.domain_name,
                "place": self.place, "phrase": self.phrase, "count": self.count,
                "first": self.first_at, "last": self.last_at, "recent": self.recent,
                "growing": self.growing, "departments": list(self.departments),
                "tickets": list(self.numbers)}


@dataclass(slots=True)
class _Row:
    number: str
    domain: str
    created_at: str
    text: str  # 诉求内容 + 诉求
    departments: tuple[str, ...]
    confidential: bool
    secrets: tuple[str, ...]  # name, phone, address: only of a confidential ticket
    place: Place
    at: datetime | None = None
    pairs: frozenset[str] = frozenset()


_COLUMNS = ("SELECT number, domain, created_at, incident_place, content, demand, caller_address, "
            "department, co_departments, confidential, "
            "CASE WHEN confidential THEN caller_name ELSE '' END, "
            "CASE WHEN confidential THEN caller_phone ELSE '' END FROM ticket ")
_SQL = (f"{_COLUMNS}WHERE created_at >= :lower AND created_at < :upper AND domain != '' "
        "ORDER BY created_at, number")  # on the created_at index


def _departments(lead: str | None, co: Any) -> tuple[str, ...]:
    """The lead department and the co-handling ones (a JSON list as stored)."""
    names = [lead] if lead else []
    if isinstance(co, str) and co not in ("", "[]"):
        try:
            co = json.loads(co)
        except ValueError:
            co = []
    if isinstance(co, list):
        names += [str(n) for n in co if n]
    return tuple(names)


def _fetch(connection: Any, sql: str, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    """The rows of `sql` as plain tuples: on SQLite straight from its cursor (a month may hold
    300k tickets; the per-row overhead of result objects counts), else through SQLAlchemy."""
    if connection.dialect.name != "sqlite":
        yield from connection.execute(sql_text(sql), params)
        return
    cursor = connection.connection.driver_connection.cursor()
    try:
        yield from cursor.execute(sql, params)
    finally:
        cursor.close()


def _rows(connection: Any, period: Period, rules: HotspotRules) -> list[_Row]:
    """The tickets of the period that name a place shared by at least `min_tickets` tickets of
    their 领域, in time order (the place is read for every ticket; the rest only for these)."""
    params = {"lower": period.lower, "upper": period.upper}
    placed = []
    sizes: Counter[tuple[str, str]] = Counter()
    for raw in _fetch(connection, _SQL, params):
        number, domain, created, incident, content, demand, address = raw[:7]
        place = place_of((incident or "", content or "", demand or "", address or ""), rules)
        if place.name:  # no place named: no 专题
            placed.append((raw, place))
            sizes[(domain, place.name)] += 1
    rows = []
    for raw, place in placed:
        (number, domain, created, _, content, demand, address, department, co, confidential,
         name, phone) = raw
        if sizes[(domain, place.name)] >= rules.min_tickets:
            rows.append(_Row(number, domain, created, f"{content or ''}|{demand or ''}",
                             _departments(department, co), bool(confidential),
                             (name or "", phone or "", address or "") if confidential else (),
                             place))
    return rows


def _by_place(rows: list[_Row], rules: HotspotRules) -> list[list[_Row]]:
    """Groups of the same (领域, place name); where tickets name different districts, one group
    per district (tickets naming none join the district when only one is named)."""
    groups: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        groups[(row.domain, row.place.name)].append(row)
    out = []
    for members in groups.values():
        if len(members) < rules.min_tickets:
            continue
        districts = {r.place.district for r in members} - {""}
        if len(districts) > 1:
            split: dict[str, list[_Row]] = defaultdict(list)
            for row in members:
                split[row.place.district].append(row)
            out += [m for m in split.values() if len(m) >= rules.min_tickets]
        else:
            out.append(members)
    return out


def _clusters(members: list[_Row], rules: HotspotRules) -> list[list[_Row]]:
    """Tickets of one place in time order, each joining the most similar open cluster (its
    latest ticket at most window_days older) when similar enough, else opening one."""
    window = timedelta(days=rules.window_days)
    members = members[-rules.max_tickets_per_place:]  # the newest (rows come in time order)
    district = next((r.place.district for r in members if r.place.district), "")
    clusters: list[list[_Row]] = []
    open_clusters: list[list[_Row]] = []
    for row in members:
        row.at = clock.parse_iso(row.created_at)
        row.pairs = features(row.text, rules, (row.place.name, row.place.district, district))
        open_clusters = [c for c in open_clusters
                         if row.at - c[-1].at <= window]  # type: ignore[operator]
        best, best_score = None, 0.0
        for cluster in open_clusters[-rules.max_open_clusters:]:
            score = max(similarity(row.pairs, other.pairs)
                        for other in cluster[:1] + cluster[-_REPRESENTATIVES + 1:])
            if score > best_score:
                best, best_score = cluster, score
        if best is not None and best_score >= rules.similarity:
            best.append(row)
        else:
            clusters.append([row])
            open_clusters.append(clusters[-1])
    return clusters


def _densest(cluster: list[_Row], window: timedelta) -> int:
    """The most tickets of `cluster` (in time order) within any `window`."""
    most, start = 0, 0
    for end, row in enumerate(cluster):
        while row.at - cluster[start].at > window:  # type: ignore[operator]
            start += 1
        most = max(most, end - start + 1)
    return most


def _hotspot(cluster: list[_Row], rules: HotspotRules, taxonomy: Taxonomy | None,
             end: datetime) -> Hotspot:
    domain = cluster[0].domain
    leaf = taxonomy.by_code.get(domain) if taxonomy else None
    domain_name = leaf.name if leaf else domain
    # one name per cluster; one district at most (the groups were split by district)
    place = next((r.place.district for r in cluster if r.place.district), "") + \
        cluster[0].place.name
    if all(r.confidential for r in cluster):  # only confidential tickets named it
        place = mask_address(place)  # the district at most: 浑南区****
    sample = cluster[-_PHRASE_SAMPLE:]
    drop = {w for r in cluster for w in (r.place.name, r.place.district) if w}
    texts = []
    for row in sample:
        value = mask_text(row.text, *row.secrets) if row.confidential else row.text
        for word in sorted(drop, key=len, reverse=True):
            value = value.replace(word, "|")
        texts.append(value)
    phrase = key_phrase(texts, rules, avoid=domain_name)
    title = " · ".join(p for p in (place, domain_name, phrase) if p)
    departments = Counter(d for r in cluster for d in r.departments)
    since = end - timedelta(days=rules.growing_days)
    recent = sum(1 for r in cluster if r.at >= since)  # type: ignore[operator]
    return Hotspot(title, domain, domain_name, place, phrase, len(cluster),
                   cluster[0].created_at, cluster[-1].created_at,
                   tuple(r.number for r in cluster),
                   tuple(d for d, _ in sorted(departments.items(), key=lambda i: (-i[1], i[0]))),
                   recent, recent > 0)


def find_hotspots_on(connection: Any, period: Period, rules: HotspotRules,
                taxonomy: Taxonomy | None = None) -> list[Hotspot]:
    """The 专题 of `period` on `connection` (SQLAlchemy, a database with the ticket table),
    the largest first."""
    window = timedelta(days=rules.window_days)
    end = min(clock.now(), clock.parse_iso(period.upper))
    found = []
    for members in _by_place(_rows(connection, period, rules), rules):
        for cluster in _clusters(members, rules):
            if len(cluster) >= rules.min_tickets and _densest(cluster, window) >= rules.min_tickets:
                found.append(_hotspot(cluster, rules, taxonomy, end))
    found.sort(key=lambda h: (-h.count, -clock.parse_iso(h.last_at).timestamp(), h.title))
    return found


def find_hotspots(db: Database, period: Period, rules: HotspotRules,
             taxonomy: Taxonomy | None = None) -> list[Hotspot]:
    """The 专题 of `period` in this site's hotline.db, the largest first. Read-only."""
    with db.read() as session:
        return find_hotspots_on(session.connection(), period, rules, taxonomy)
