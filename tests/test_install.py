"""Installs work outside the checkout.

A regular (non-editable) install: the sdist carries kb_data/ and scripts_phrases/, the wheel
built from it ships them inside the package, and the installed `seat-console`, run from another
directory with no config, finds and uses them. An editable install keeps reading the top-level
folders, so an edit there takes effect without reinstalling.

Offline and quick: the project is built without build isolation (setuptools and wheel are in
the test extras) from a copy of the source, so the checkout gets no build/ or egg-info; each
fresh venv has no pip (the test's pip installs into it with --python) and sees the already
installed dependencies through a .pth file, so the project goes in with --no-deps --no-index.
"""

from __future__ import annotations

import json
import os
import shutil
import site as site_module
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import seat_console
from seat_console.shipped import SHIPPED_DIR, SHIPPED_FOLDERS

ROOT = Path(__file__).resolve().parent.parent
# Not part of a source distribution's input (and big, or written to by running tests).
NOT_SOURCE = {".venv", ".git", "tests", "bench", "build", "dist", ".hypothesis",
              ".pytest_cache", ".mypy_cache", ".ruff_cache"}
# Files the build leaves out of the shipped folders (setup.py's IGNORED).
NOT_SHIPPED_SUFFIXES = (".pyc", ".pyo", "~", ".swp", ".orig", ".rej")
PROBE = Path("_install_probe") / "nested" / "probe.txt"  # a new subfolder, any file type

pytestmark = pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(),
                                reason="needs the source checkout")


def _ignore_source(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == ROOT
    return {n for n in names
            if n == "__pycache__" or n.endswith((".egg-info", ".pyc"))
            or (top and (n in NOT_SOURCE or n.startswith(("hotline.db", "seat-console."))))}


def _shipped_files(folder: Path) -> set[str]:
    """Relative paths of the files a build must ship from one top-level data folder."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)
            and not p.name.endswith(NOT_SHIPPED_SUFFIXES)}


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


def _build(backend_call: str, source: Path, out: Path) -> Path:
    """PEP 517 build with the test environment's setuptools (no isolation, no network)."""
    out.mkdir(exist_ok=True)
    done = _run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                 f"print(build_meta.{backend_call}(sys.argv[1]))", out], cwd=source)
    return out / done.stdout.strip().splitlines()[-1]


def _venv_with_dependencies(venv: Path, wheel: Path) -> tuple[Path, Path]:
    """A fresh venv without pip, `pip install --no-deps <wheel>` into it, then the
    dependencies installed here made visible (after the install, so pip sees none of this
    environment's packages, the editable seat-console included). Returns python, purelib."""
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv.parent)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--ignore-installed", "--disable-pip-version-check",
          "--no-warn-script-location", "-q", wheel], cwd=venv.parent)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=venv.parent).stdout.strip())
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                    *site_module.getsitepackages()}
    (site / "_test_dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    return python, site


def _clean_env(tmp_path: Path, venv: Path) -> dict[str, str]:
    """No config, no SEAT_CONSOLE_*, no PYTHONPATH; home and caches in tmp_path."""
    return {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "LANG": "C.UTF-8", "PYTHONNOUSERSITE": "1", "PYTHONIOENCODING": "utf-8"}


def _source_copy(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_ignore_source)
    return source


def _editable_install_state() -> dict[str, float]:
    """What `pip install -e .` put into the test environment, with modification times."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    return {p.name: p.stat().st_mtime for p in purelib.iterdir()
            if "seat_console" in p.name or "seat-console" in p.name}


def _build_output_in_checkout() -> dict[str, float]:
    """What a build in the checkout itself would leave there."""
    return {p.name: p.stat().st_mtime for p in ROOT.iterdir()
            if p.name in ("build", "dist") or p.name.endswith(".egg-info")}


def test_wheel_install_outside_the_checkout_ships_phrases_and_kb(tmp_path: Path) -> None:
    editable_before = _editable_install_state()
    checkout_before = _build_output_in_checkout()

    # A source copy with a probe file in a new subfolder of each shipped folder.
    source = _source_copy(tmp_path)
    for name in SHIPPED_FOLDERS:
        (source / name / PROBE).parent.mkdir(parents=True)
        (source / name / PROBE).write_text(f"{name} probe\n", encoding="utf-8")
        (source / name / "stale.pyc").write_bytes(b"never shipped")
    expected = {name: _shipped_files(source / name) for name in SHIPPED_FOLDERS}
    assert all(PROBE.as_posix() in files and len(files) > 1 for files in expected.values())

    # sdist, unpacked; the wheel is built from it, so the sdist must carry the data folders.
    sdist = _build("build_sdist", source, tmp_path / "dist")
    with tarfile.open(sdist) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # 3.11.4+
        archive.extractall(tmp_path / "unpacked", **safe)
    unpacked = tmp_path / "unpacked" / sdist.name.removesuffix(".tar.gz")
    wheel = _build("build_wheel", unpacked, tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name, files in expected.items():
        prefix = f"seat_console/{SHIPPED_DIR}/{name}/"
        assert {n.removeprefix(prefix) for n in names if n.startswith(prefix)} == files
    assert not any(n.startswith(("kb_data/", "scripts_phrases/")) for n in names)

    # A fresh venv outside the checkout with the wheel and the dependencies installed here.
    venv = tmp_path / "venv"
    python, site = _venv_with_dependencies(venv, wheel)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _clean_env(tmp_path, venv)
    console = venv / "bin" / "seat-console"
    packaged = site / "seat_console" / SHIPPED_DIR

    imported = _run([python, "-c", "import seat_console; print(seat_console.__file__)"],
                    cwd=work, env=env).stdout.strip()
    assert Path(imported) == site / "seat_console" / "__init__.py"

    # No config anywhere: check-data reads the packaged data and finds all of it, exactly as
    # the source folders it was built from read.
    checked = _run([console, "check-data"], cwd=work, env=env).stdout
    reference = _run([sys.executable, "-m", "seat_console", "check-data"], cwd=work, env={
        **env, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SEAT_CONSOLE_KB_DATA": str(source / "kb_data"),
        "SEAT_CONSOLE_SCRIPTS_PHRASES": str(source / "scripts_phrases")}).stdout
    assert "phrases: " in checked and " entries loaded" in checked
    assert checked == reference
    assert list(work.iterdir()) == []  # check-data only reads

    shown = json.loads(_run([console, "config", "show"], cwd=work, env=env).stdout)
    assert Path(shown["kb_data"]) == packaged / "kb_data"
    assert Path(shown["scripts_phrases"]) == packaged / "scripts_phrases"
    assert (packaged / "kb_data" / PROBE).read_text(encoding="utf-8") == "kb_data probe\n"

    found = json.loads(_run([console, "kb", "search", "公积金", "--json"], cwd=work,
                            env=env).stdout)
    assert found["hits"] and "公积金" in found["hits"][0]["title"]

    # The editable install under test and the checkout are as they were.
    assert _editable_install_state() == editable_before
    assert _build_output_in_checkout() == checkout_before
    assert Path(seat_console.__file__).resolve() == ROOT / "seat_console" / "__init__.py"


def test_editable_install_reads_the_top_level_folders(tmp_path: Path) -> None:
    source = _source_copy(tmp_path)
    # What `pip install -e` does: the backend's editable wheel, installed.
    venv = tmp_path / "venv"
    _venv_with_dependencies(venv, _build("build_editable", source, tmp_path / "dist"))
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _clean_env(tmp_path, venv)
    console = venv / "bin" / "seat-console"

    shown = json.loads(_run([console, "config", "show"], cwd=work, env=env).stdout)
    assert Path(shown["kb_data"]) == source / "kb_data"
    assert Path(shown["scripts_phrases"]) == source / "scripts_phrases"
    assert not (source / "seat_console" / SHIPPED_DIR).exists()

    # An edit of the top-level folder is what the installed console reads next.
    before = _run([console, "check-data"], cwd=work, env=env).stdout
    articles = source / "kb_data" / "articles.jsonl"
    article = json.loads(articles.read_text(encoding="utf-8").splitlines()[0])
    article["id"] = "kb-install-probe-0001"
    with articles.open("a", encoding="utf-8") as out:
        out.write(json.dumps(article, ensure_ascii=False) + "\n")
    after = _run([console, "check-data"], cwd=work, env=env).stdout
    count = [int(line.split()[1]) for text in (before, after) for line in text.splitlines()
             if line.startswith("kb_data: ")]
    assert len(count) == 2 and count[1] == count[0] + 1
