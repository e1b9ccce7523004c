"""The core never imports Textual: it must serve the CLI, the center and tests without a UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import seat_console

PACKAGE = Path(seat_console.__file__).parent
CORE_FILES = sorted((PACKAGE / "core").rglob("*.py")) + [PACKAGE / "config.py"]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_do_not_import_textual_or_tui() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in imported_modules(path)
            if m.split(".")[0] == "textual" or m.startswith("seat_console.tui")
        )
        for path in CORE_FILES
    }
    assert CORE_FILES, "no core modules found"
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_loads_no_textual() -> None:
    modules = [
        "seat_console." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in CORE_FILES if p.name != "__init__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'seat_console.tui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
