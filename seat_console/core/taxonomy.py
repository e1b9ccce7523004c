"""诉求领域 taxonomy (kb_data/taxonomy.yaml): two levels, each leaf with its default handling
department; picked by typing characters, pinyin or initials."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from seat_console.core.errors import DataFileError
from seat_console.core.kb.text_features import initials, syllables
from seat_console.core.phrases.data_file import mappings, open_document, text, texts

TAXONOMY_FILE = "taxonomy.yaml"


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    domain: str  # the top-level name
    department: str
    keywords: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.domain}/{self.name}"


class Taxonomy:
    def __init__(self, leaves: list[Leaf]) -> None:
        self.leaves = leaves
        self.by_code = {leaf.code: leaf for leaf in leaves}
        self.by_label = {leaf.label: leaf for leaf in leaves}  # 生态环境/餐饮油烟
        self._keys: list[tuple[Leaf, list[str], list[str], list[str]]] = []

    def _pick_keys(self) -> list[tuple[Leaf, list[str], list[str], list[str]]]:
        """Each leaf's words with their pinyin and initials, made on the first pick (the CLI
        and the statistics only name leaves, and need no pinyin)."""
        if not self._keys:
            for leaf in self.leaves:
                words = [leaf.name, leaf.domain, *leaf.keywords]
                pinyin = ["".join(syllables(w)) for w in words]
                letters = [initials(syllables(w)) for w in words]
                self._keys.append((leaf, words, pinyin, letters))
        return self._keys

    def resolve(self, value: str) -> Leaf | None:
        """A leaf by code, name or 'domain/name' (as other channels send it)."""
        value = value.strip()
        if value in self.by_code:
            return self.by_code[value]
        exact = next((leaf for leaf in self.leaves if value in (leaf.name, leaf.label)), None)
        if exact or not value:
            return exact
        close = [leaf for leaf in self.leaves if value in leaf.name or leaf.name in value]
        return close[0] if len(close) == 1 else None  # only when it is unambiguous

    def pick(self, typed: str, limit: int = 8) -> list[Leaf]:
        """Leaves matching what the agent typed: characters, full pinyin or initials."""
        typed = typed.strip().lower()
        if not typed:
            return self.leaves[:limit]
        scored = []
        for leaf, words, pinyin, letters in self._pick_keys():
            score = max(
                max(fuzz.partial_ratio(typed, w) for w in words),
                max((100 if p.startswith(typed) else 0) for p in pinyin),
                max((100 if s.startswith(typed) else 0) for s in letters),
            )
            if typed in leaf.name or typed == leaf.code:
                score += 20
            if score >= 70:
                scored.append((score, leaf))
        scored.sort(key=lambda item: -item[0])
        return [leaf for _, leaf in scored[:limit]]


def load_taxonomy(kb_data: Path) -> Taxonomy:
    document = open_document(kb_data, TAXONOMY_FILE)
    data = document.data if isinstance(document.data, dict) else {}
    leaves, seen = [], set()
    for loc, domain in mappings(document, "domains", data.get("domains"), "domain"):
        name = text(document, loc, domain, "name")
        for child_index, child in enumerate(domain.get("children") or []):
            child_loc = loc + ("children", child_index)
            if not isinstance(child, dict):
                raise document.error(child_loc, "a leaf needs code, name and department")
            leaf = Leaf(text(document, child_loc, child, "code"), text(document, child_loc, child, "name"),
                        name, text(document, child_loc, child, "department"),
                        tuple(texts(document, child_loc, child, "keywords")))
            if leaf.code in seen:
                raise document.error(child_loc + ("code",), f"duplicate code {leaf.code!r}")
            seen.add(leaf.code)
            leaves.append(leaf)
    if not leaves:
        raise DataFileError(document.path, None, "the taxonomy has no leaves")
    return Taxonomy(leaves)
