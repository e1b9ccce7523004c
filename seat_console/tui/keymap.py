"""Binding ids, the keys they are on after the config's keymap, and keymap validation."""

from __future__ import annotations

import re
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


KEY_NAMES = {"left": "←", "right": "→", "up": "↑", "down": "↓", "escape": "Esc",
             "pageup": "PgUp", "pagedown": "PgDn"}


def display_keys(keys: str) -> str:
    def one(key: str) -> str:
        return "+".join(KEY_NAMES.get(part) or (part.capitalize() if len(part) > 1
                                                else part.upper())
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


@dataclass(frozen=True)
class Clash:
    key: str
    first: str
    second: str


def _normal_keys(keys: str) -> list[str]:
    return [k.strip().lower() for k in keys.split(",") if k.strip()]


def clashing_bindings(areas: Iterable[tuple[type[DOMNode], str]], keymap: Mapping[str, str],
                      screens: Mapping[type[DOMNode], str]) -> list[Clash]:
    """Pairs of bindings that the keymap puts on one key where both are active at once.

    `screens` names where each class's bindings are active ("*" for everywhere, e.g. the App);
    two bindings clash when they share a key and a screen.
    """
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for node_class, _ in areas:
        where = screens.get(node_class, "*")
        for binding in _bindings(node_class):
            if not binding.id:
                continue
            for key in _normal_keys(keymap.get(binding.id, binding.key)):
                for (other_key, other_where), other_id in seen.items():
                    if other_key != key or other_id == binding.id:
                        continue
                    if "*" in (where, other_where) or where == other_where:
                        clashes.append(Clash(key, other_id, binding.id))
                seen.setdefault((key, where), binding.id)
    return clashes


_HINT = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")


def key_of(node: DOMNode, binding_id: str) -> str:
    """The key(s) `binding_id` is on now, as shown to the agent (`Ctrl+S`), after the keymap.

    Looks the binding up on `node`, its ancestors and the app, so a pane's hint always names
    the key that really runs the action.
    """
    workspace = getattr(node.app, "workspace", None)
    keymap: Mapping[str, str] = workspace.config.keymap if workspace else {}
    if binding_id in keymap:
        return display_keys(keymap[binding_id])
    for owner in (*node.ancestors_with_self, *node.app.screen_stack):
        for cls in type(owner).__mro__:
            for binding in getattr(cls, "BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id == binding_id:
                    return display_keys(binding.key)
    raise KeyError(binding_id)


def hint(node: DOMNode, template: str) -> str:
    """`template` with every `{binding.id}` replaced by the key it is on now."""
    return _HINT.sub(lambda match: key_of(node, match.group(1)), template)
