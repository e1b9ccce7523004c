"""A real seat-center on 127.0.0.1 for the sync tests, and sites whose consoles talk to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Center:
    db: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "seat-center"), "serve", "--db", str(self.db), "--port", str(self.port)],
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
        return subprocess.run([str(BIN / "seat-center"), *args, "--db", str(self.db)],
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
        return {**base, "SEAT_CONSOLE_DATABASE": str(self.folder / "hotline.db"),
                "SEAT_CONSOLE_SITE_CODE": self.code, "SEAT_CONSOLE_CENTER_URL": self.center.url,
                "SEAT_CONSOLE_CENTER_TOKEN": self.token, **extra}

    def run(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "seat-console"), *args], input=stdin, text=True,
                              encoding="utf-8", capture_output=True, cwd=self.folder,
                              env=self.env(**extra), timeout=120)
