"""Where the shipped knowledge base (`kb_data/`) and phrase catalog (`scripts_phrases/`) are.

The top-level `kb_data/` and `scripts_phrases/` folders of the checkout are the source. A
regular install (wheel, or sdist built to a wheel) carries a copy of each inside the package,
`seat_console/_shipped/<name>/`, made by the build step in setup.py. An editable install
(`pip install -e .`) and a run from the checkout have no copy: they read the top-level folders
directly, so an edit takes effect without reinstalling.

This module imports nothing of the project, so it is cheap and safe to import anywhere.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = "seat_console"
# Folder inside the package that holds the copies in a regular install (see setup.py).
SHIPPED_DIR = "_shipped"
# The data folders that are shipped: top-level folder name == name of the copy.
SHIPPED_FOLDERS = ("kb_data", "scripts_phrases")


def _package_dir() -> Path:
    """The installed `seat_console` package folder (the checkout's one when editable)."""
    root = resources.files(PACKAGE)
    if isinstance(root, Path):
        return root.resolve()
    # Not on a plain file system (e.g. imported from a zip): only __file__ is left to go by.
    return Path(__file__).resolve().parent


def shipped_folder(name: str) -> Path:
    """The folder the console reads the shipped `name` (kb_data / scripts_phrases) from.

    The packaged copy if this is a regular install, else the checkout's top-level folder.
    The path is returned even when it does not exist, so `check-data` can report it.
    """
    if name not in SHIPPED_FOLDERS:
        raise ValueError(f"not a shipped data folder: {name!r} (one of {SHIPPED_FOLDERS})")
    packaged = _package_dir() / SHIPPED_DIR / name
    if packaged.is_dir():
        return packaged
    # The checkout this module's source file is in (resolved: a strict editable install,
    # `--config-settings editable_mode=strict`, links the package's files from a build tree).
    return Path(__file__).resolve().parent.parent / name
