"""Checks shared by the loaders of scope.yaml and gazetteer.yaml (errors name file and line)."""
from __future__ import annotations


import yaml

from seat_console.core.errors import DataFileError
from seat_console.core.yaml_source import YamlDocument


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

    if document.node is not None:
        walk(document.node)
