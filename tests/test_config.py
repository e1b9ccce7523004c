from __future__ import annotations

from pathlib import Path

import pytest

from seat_console.config import CONFIG_FILE_NAME, SHIPPED_KB_DATA, load_config
from seat_console.core.errors import ConfigInvalid, DataFileError


def test_first_run_creates_default_config_beside_database(tmp_path: Path) -> None:
    config = load_config(None, env={"SEAT_CONSOLE_DATABASE": str(tmp_path / "d" / "hotline.db")})
    created = tmp_path / "d" / CONFIG_FILE_NAME
    assert config.source == created and created.exists()
    assert config.database == tmp_path / "d" / "hotline.db"
    assert config.site_code == "210102"
    assert config.kb_data == SHIPPED_KB_DATA
    # and the created file loads again unchanged
    assert load_config(created, env={}).agent.id == config.agent.id


def test_environment_overrides_file(config_file: Path) -> None:
    config = load_config(config_file, env={
        "SEAT_CONSOLE_SITE_CODE": "210204", "SEAT_CONSOLE_AGENT_ID": "9001",
        "SEAT_CONSOLE_KEYMAP": "console.new_call=f9, app.help=f12",
    })
    assert (config.site_code, config.agent.id) == ("210204", "9001")
    assert config.keymap == {"console.new_call": "f9", "app.help": "f12"}


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    path = folder / "c.yaml"
    path.write_text("database: data/h.db\nkb_data: ../kb\n", encoding="utf-8")
    config = load_config(path, env={})
    assert config.database == folder / "data" / "h.db"
    assert config.kb_data == folder / ".." / "kb"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('site_code: "210102"\nagent:\n  id: [8001\n  name: x\n', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_config(path, env={})
    assert info.value.path == path
    assert info.value.line in (3, 4, 5)
    assert "malformed YAML" in str(info.value)


def test_bad_value_names_line_and_expectation(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text('database: h.db\nagent:\n  id: "8001"\nsite_code: "21-01"\n', encoding="utf-8")
    with pytest.raises(ConfigInvalid) as info:
        load_config(path, env={})
    message = str(info.value)
    assert f"{path}:4" in message and "site_code" in message and "pattern" in message


def test_unknown_setting_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("database: h.db\nagnet:\n  id: 1\n", encoding="utf-8")
    with pytest.raises(ConfigInvalid, match=rf"{path}:2: agnet: unknown setting"):
        load_config(path, env={})


def test_bad_environment_value_names_the_variable(config_file: Path) -> None:
    with pytest.raises(ConfigInvalid, match="environment SEAT_CONSOLE_AUTOSAVE_SECONDS"):
        load_config(config_file, env={"SEAT_CONSOLE_AUTOSAVE_SECONDS": "5"})
    with pytest.raises(DataFileError, match="SEAT_CONSOLE_KEYMAP"):
        load_config(config_file, env={"SEAT_CONSOLE_KEYMAP": "no-equals-sign"})


def test_config_show_never_prints_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from seat_console.cli import main

    monkeypatch.setenv("SEAT_CONSOLE_DATABASE", str(tmp_path / "hotline.db"))
    monkeypatch.setenv("SEAT_CONSOLE_CENTER_TOKEN", "center-secret-123")
    monkeypatch.setenv("SEAT_CONSOLE_CTI_TOKEN", "cti-secret-4567")
    assert main(["config", "show"]) == 0
    shown = capsys.readouterr().out
    assert "center-secret-123" not in shown and "cti-secret-4567" not in shown
    assert shown.count("********") == 2
