"""Load YAML keeping the line of every key, so errors can name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from seat_console.core.errors import DataFileError

Location = tuple[str | int, ...]


class YamlDocument:
    """A parsed YAML file: its data plus a map from key path to 1-based line number."""

    def __init__(self, path: Path, data: Any, lines: dict[Location, int],
                 node: yaml.Node | None = None) -> None:
        self.path = path
        self.data = data
        self.lines = lines
        self.node = node  # the composed document, for checks that need more than the data

    def line_of(self, location: Location) -> int | None:
        """Line of the deepest known node on `location` (falls back to its parents)."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def error(self, location: Location, message: str) -> DataFileError:
        return DataFileError(self.path, self.line_of(location), message)


def _walk(node: yaml.Node, here: Location, lines: dict[Location, int]) -> None:
    lines.setdefault(here, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[here + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, here + (key,), lines)
            lines[here + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, here + (index,), lines)


def parse_yaml(path: Path, text: str) -> YamlDocument:
    """Parse `text` (the contents of `path`); raise DataFileError with the line on bad YAML."""
    loader = yaml.SafeLoader(text)
    try:  # composed once: the nodes give the lines, the data is constructed from them
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise DataFileError(path, line, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(path, None, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[Location, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDocument(path, data, lines, node)


def load_yaml(path: Path) -> YamlDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read file: {exc.strerror}") from None
    return parse_yaml(path, text)
