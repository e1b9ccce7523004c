"""Small helpers to validate YAML data files with errors naming the file and the line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError
from seat_console.core.yaml_source import YamlDocument, load_yaml


def open_document(folder: Path, name: str) -> YamlDocument:
    path = folder / name
    if not path.exists():
        raise DataFileError(path, None, "file not found")
    return load_yaml(path)


def mapping(document: YamlDocument, loc: tuple[Any, ...], value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise document.error(loc, f"expected {what} (a mapping)")
    return value


def items(document: YamlDocument, loc: tuple[Any, ...], value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise document.error(loc, f"expected a non-empty list of {what}")
    return value


def mappings(document: YamlDocument, key: str, value: Any,
             what: str) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(location, mapping) for each item of the non-empty list `value` found under `key`."""
    for index, item in enumerate(items(document, (key,), value, f"{what} entries")):
        location = (key, index)
        yield location, mapping(document, location, item, what)


def text(document: YamlDocument, loc: tuple[Any, ...], item: dict[str, Any], key: str,
         *, required: bool = True) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise document.error(loc + (key,), f"'{key}' must be a non-empty string")
    return str(value)


def texts(document: YamlDocument, loc: tuple[Any, ...], item: dict[str, Any], key: str,
          *, required: bool = False) -> list[str]:
    value = item.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise document.error(loc + (key,), f"'{key}' must be a list of non-empty strings")
    if required and not value:
        raise document.error(loc + (key,), f"'{key}' must not be empty")
    return list(value)


def whole_number(document: YamlDocument, loc: tuple[Any, ...], value: Any, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise document.error(loc, f"expected a whole number >= {minimum}, got {value!r}")
    return value


def unique(document: YamlDocument, loc: tuple[Any, ...], value: str, seen: set[str]) -> str:
    """`value`, added to `seen`; an error at `loc` when it was there already."""
    if value in seen:
        raise document.error(loc, f"duplicate id {value!r}")
    seen.add(value)
    return value
