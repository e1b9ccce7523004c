"""Binding ids, the keys they are on after the config's keymap, and keymap validation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode


@dataclass(frozen=True)
class BindingRow:
    keys: str
    description: str
    area: str
    binding_id: str


def display_keys(keys: str) -> str:
    def one(key: str) -> str:
        return "+".join(part.capitalize() if len(part) > 1 else part.upper()
                        for part in key.split("+"))
    return " / ".join(one(k.strip()) for k in keys.split(","))


def _bindings(node_class: type[DOMNode]) -> Iterable[Binding]:
    for item in node_class.BINDINGS:
        if isinstance(item, Binding):
            yield item


def binding_rows(areas: Iterable[tuple[type[DOMNode], str]],
                 keymap: Mapping[str, str]) -> list[BindingRow]:
    rows = []
    for node_class, area in areas:
        for binding in _bindings(node_class):
            if binding.id and binding.description:
                keys = keymap.get(binding.id, binding.key)
                rows.append(BindingRow(display_keys(keys), binding.description, area, binding.id))
    return rows


def unknown_binding_ids(areas: Iterable[tuple[type[DOMNode], str]],
                        keymap: Mapping[str, str]) -> list[str]:
    known = {b.id for node_class, _ in areas for b in _bindings(node_class) if b.id}
    return sorted(set(keymap) - known)
