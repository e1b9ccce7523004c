"""A real seat-center on 127.0.0.1 for the sync tests, and sites whose consoles talk to it."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from seat_console.core import clock

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PG_URL = os.environ.get("SEAT_CENTER_TEST_PG", "")  # e.g. postgresql://postgres:pw@127.0.0.1


@contextmanager
def center_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield str(tmp_path / "center.db")
        return
    if not PG_URL:
        pytest.skip("PostgreSQL run: set SEAT_CENTER_TEST_PG (.ci/run does)")
    import psycopg

    name = f"seat_center_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{PG_URL}/{name}"
    finally:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Center:
    db: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "seat-center"), "serve", "--db", self.db, "--port", str(self.port)],
            env={**os.environ, **clock.environment()},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("seat-center did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "seat-center"), *args, "--db", self.db],
                              env={**os.environ, **clock.environment()},
                              capture_output=True, text=True, timeout=60)

    def add_site(self, code: str) -> str:
        result = self.cli("add-site", code)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]


@dataclass
class Site:
    folder: Path
    code: str
    token: str
    center: Center

    def env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
        return {**base, **clock.environment(),
                "SEAT_CONSOLE_DATABASE": str(self.folder / "hotline.db"),
                "SEAT_CONSOLE_SITE_CODE": self.code, "SEAT_CONSOLE_CENTER_URL": self.center.url,
                "SEAT_CONSOLE_CENTER_TOKEN": self.token, **extra}

    def run(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "seat-console"), *args], input=stdin, text=True,
                              encoding="utf-8", capture_output=True, cwd=self.folder,
                              env=self.env(**extra), timeout=120)


@contextmanager
def running_center(url: str) -> Iterator[Center]:
    """A real seat-center on `url` (SQLite file or PostgreSQL), on a free port of 127.0.0.1;
    `serve` creates the tables itself."""
    center = Center(url, free_port())
    center.start()
    try:
        yield center
    finally:
        center.stop()
