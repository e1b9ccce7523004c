"""center.allow_insecure: an http:// center off this machine is refused at start (file and
line, or the environment variable) unless the config allows it; https and loopback are fine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seat_console.config import load_config
from seat_console.core.errors import ConfigInvalid


def write(tmp_path: Path, center: str) -> Path:
    path = tmp_path / "seat-console.yaml"
    path.write_text(f'site_code: "210102"\ncenter:\n{center}  token: abcdefghijk\n',
                    encoding="utf-8")
    return path


def test_plain_http_off_loopback_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "  url: http://10.1.2.3:8890\n")
    with pytest.raises(ConfigInvalid) as refused:
        load_config(path, env={})
    assert f"{path}:3: center.url" in str(refused.value) and "allow_insecure" in str(refused.value)
    with pytest.raises(ConfigInvalid) as from_env:
        load_config(write(tmp_path, ""), env={"SEAT_CONSOLE_CENTER_URL": "http://center.example"})
    assert "environment SEAT_CONSOLE_CENTER_URL" in str(from_env.value)


@pytest.mark.parametrize("center", [
    "  url: https://center.example:8443\n",
    "  url: http://127.0.0.1:8890\n",
    "  url: http://localhost:8890\n",
    "  url: http://[::1]:8890\n",
    "  allow_insecure: true\n  url: http://10.1.2.3:8890\n",
    "  url: http://10.1.2.3:8890\n  allow_insecure: true\n",
])
def test_tls_loopback_or_an_explicit_allowance_is_accepted(tmp_path: Path, center: str) -> None:
    assert load_config(write(tmp_path, center), env={}).center.url


def test_the_console_does_not_start_with_an_insecure_center(tmp_path: Path) -> None:
    path = write(tmp_path, "  url: http://192.168.1.20:8890\n")
    result = subprocess.run([str(Path(sys.executable).parent / "seat-console"), "--config",
                             str(path), "sync", "--once"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 2 and "allow_insecure" in result.stderr
    assert "Traceback" not in result.stderr
