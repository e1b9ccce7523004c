"""Synonym table (kb_data/synonyms.yaml): everyday words <-> article vocabulary.

Format: `groups:` a list of lists of words that mean the same for search. A query containing a
word of a group is also searched with the other words of the group (at a lower weight).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_console.core.errors import DataFileError
from seat_console.core.yaml_source import load_yaml

SYNONYMS_FILE = "synonyms.yaml"


@dataclass(frozen=True)
class SynonymTable:
    groups: tuple[tuple[str, ...], ...]

    def expansions(self, query: str) -> list[str]:
        """Words of every group one of whose words occurs in `query` (the others of the group)."""
        found: list[str] = []
        for group in self.groups:
            if any(word in query for word in group):
                found += [word for word in group if word not in query and word not in found]
        return found


EMPTY = SynonymTable(())


def load_synonyms(path: Path) -> SynonymTable:
    """Load `path` (a synonyms.yaml); a missing file means no synonyms."""
    if not path.exists():
        return EMPTY
    document = load_yaml(path)
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise DataFileError(path, document.line_of(()), "expected 'groups:' with a list of word lists")
    groups = []
    for index, group in enumerate(data["groups"]):
        words = [str(w).strip() for w in group] if isinstance(group, list) else []
        if len(words) < 2 or not all(words):
            raise document.error(("groups", index), "a synonym group lists at least two words")
        groups.append(tuple(words))
    return SynonymTable(tuple(groups))


def synonyms_for(kb_paths: list[Path]) -> SynonymTable:
    """The synonym table that goes with a KB given as files or kb_data/ folders."""
    for path in kb_paths:
        folder = path if path.is_dir() else path.parent
        if (folder / SYNONYMS_FILE).exists():
            return load_synonyms(folder / SYNONYMS_FILE)
    return EMPTY
