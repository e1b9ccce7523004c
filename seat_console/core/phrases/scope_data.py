"""Checks shared by the loaders of scope.yaml and gazetteer.yaml (errors name file and line)."""
from __future__ import annotations

from typing import Any

import yaml

from seat_console.core.errors import DataFileError
from seat_console.core.yaml_source import YamlDocument


def unique(document: YamlDocument, loc: tuple[Any, ...], value: str, seen: set[str]) -> str:
    """`value`, added to `seen`; an error at `loc` when it was there already."""
    if value in seen:
        raise document.error(loc, f"duplicate id {value!r}")
    seen.add(value)
    return value


def no_duplicate_keys(document: YamlDocument) -> None:
    """PyYAML keeps the last of two equal keys; in rules that silently drops one (two `unless`)."""

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    raise DataFileError(document.path, key.start_mark.line + 1,
                                        f"duplicate key {key.value!r}")
                seen.add(key.value)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(yaml.compose(document.path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))
