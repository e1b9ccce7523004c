"""The places of gazetteer.yaml: inside and outside Liaoning, words that mean here, names on
both sides with their side without context, and words that only hold a place name."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seat_console.core.phrases.data_file import mapping, open_document, texts
from seat_console.core.phrases.scope_data import no_duplicate_keys
from seat_console.core.yaml_source import YamlDocument

GAZETTEER_FILE = "gazetteer.yaml"
SIDES = ("liaoning", "outside")


@dataclass(frozen=True)
class Place:
    name: str
    side: str  # liaoning / outside / ambiguous / local (本市: Liaoning context) / none (医保定点)
    region: str  # the city or province it belongs to
    default: str = ""  # for a name on both sides: its side without context
    bare: bool = False  # a county's name without 县/市/旗 (会宁): a place only with a cue beside it



def load_gazetteer(folder: Path) -> list[Place]:
    """Places of gazetteer.yaml: `liaoning` and `outside` (region -> names), `local` (words that
    mean here: 本市, 咱们这), `ambiguous` (name on both sides -> its side without context) and
    `not_places` (words holding a place name that are no place: 医保定点 is not 保定), and
    `outside_bare` (counties by their bare names, places only with a cue beside them)."""
    document = open_document(folder, GAZETTEER_FILE)
    no_duplicate_keys(document)
    data = mapping(document, (), document.data, "'liaoning', 'outside', 'local', 'ambiguous'")
    sides: dict[str, dict[str, tuple[str, tuple[Any, ...]]]] = {}
    for side in SIDES:
        regions = mapping(document, (side,), data.get(side), f"{side}: region -> list of names")
        names: dict[str, tuple[str, tuple[Any, ...]]] = {}
        for region in regions:
            for name in texts(document, (side,), regions, region, required=True):
                names.setdefault(name, (str(region), (side, region)))
        sides[side] = names
    ambiguous = data.get("ambiguous") or {}
    mapping(document, ("ambiguous",), ambiguous, "name -> liaoning | outside")
    places = []
    both = set(sides["liaoning"]) & set(sides["outside"])
    for name in sorted(both - set(ambiguous)):
        raise document.error(sides["outside"][name][1],
                             f"{name!r} is in 'liaoning' and 'outside': say under 'ambiguous' "
                             "which side it means without context")
    for name, default in ambiguous.items():
        if name not in both:
            raise document.error(("ambiguous", name), f"{name!r} is not listed on both sides")
        if default not in SIDES:
            raise document.error(("ambiguous", name), f"side must be one of {', '.join(SIDES)}")
        region = f"{sides['liaoning'][name][0]} / {sides['outside'][name][0]}"
        places.append(Place(name, "ambiguous", region, str(default)))
    for side, names in sides.items():
        places += [Place(n, side, region) for n, (region, _) in names.items() if n not in both]
    places += _bare_names(document, data, set(sides["liaoning"]) | set(sides["outside"]))
    places += [Place(w, "local", "辽宁")
               for w in texts(document, (), data, "local", required=True)]
    places += [Place(w, "none", "") for w in texts(document, (), data, "not_places")]
    return places


def _bare_names(document: YamlDocument, data: dict[str, Any], named: set[str]) -> list[Place]:
    """`outside_bare`: region -> counties outside Liaoning by their bare names (会宁, 安溪),
    each a place only where a cue beside it says so (scope.yaml `bare_name_cue`)."""
    regions = mapping(document, ("outside_bare",), data.get("outside_bare") or {},
                      "outside_bare: region -> list of bare county names")
    places = []
    for region in regions:
        for name in texts(document, ("outside_bare",), regions, region, required=True):
            if name in named:
                raise document.error(("outside_bare", region),
                                     f"{name!r} is listed as a place already")
            named.add(name)
            places.append(Place(name, "outside", str(region), bare=True))
    return places
