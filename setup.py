"""Build step that ships the top-level data folders inside the package.

All metadata is in pyproject.toml. `kb_data/` and `scripts_phrases/` stay at the top level of
the checkout (the editable source, read directly by `pip install -e .`); a regular build
(wheel, or wheel from the sdist, which carries them via MANIFEST.in) copies each folder whole,
subfolders included, to `seat_console/_shipped/<name>/` in the build tree, where
seat_console/shipped.py finds them with importlib.resources.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Keep in step with seat_console/shipped.py (not imported: the build must not import the package).
SHIPPED_DIR = Path("seat_console") / "_shipped"
SHIPPED_FOLDERS = ("kb_data", "scripts_phrases")
# Never shipped: byte code, editor and OS leftovers, hidden files.
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".*", "*~", "*.swp", "*.orig",
                                 "*.rej")


class BuildPyWithShippedData(build_py):
    """build_py plus a copy of every file under kb_data/ and scripts_phrases/."""

    def run(self) -> None:
        super().run()
        # Editable installs read the top-level folders themselves; a copy would go stale.
        if getattr(self, "editable_mode", False):
            return
        for name in SHIPPED_FOLDERS:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"seat-console build: {source} is missing; it is shipped in "
                                 "the package (an sdist carries it via MANIFEST.in)")
            target = Path(self.build_lib) / SHIPPED_DIR / name
            if target.exists():  # a reused build/ must not keep files deleted since
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=IGNORED)
            # A folder without a single data file means a broken source tree, not a choice.
            if not any(path.is_file() for path in target.rglob("*")):
                raise SystemExit(f"seat-console build: {source} has no files to ship")


setup(cmdclass={"build_py": BuildPyWithShippedData})
