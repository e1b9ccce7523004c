"""Configuration: a YAML file plus SEAT_CONSOLE_* environment overrides, validated at start.

Resolution of the file: `--config PATH`, else `SEAT_CONSOLE_CONFIG`, else `seat-console.yaml`
beside the database (`SEAT_CONSOLE_DATABASE`, default `./hotline.db`). A missing file is
created with the defaults. Relative paths inside the file are relative to the file itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from seat_console.core.errors import ConfigInvalid, DataFileError
from seat_console.core.yaml_source import YamlDocument, load_yaml
from seat_console.shipped import shipped_folder

# The project root when run from a checkout (in a regular install: the site-packages folder).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The shipped data: the packaged copy in a regular install, the checkout's top-level folders in
# an editable install (seat_console/shipped.py).
SHIPPED_KB_DATA = shipped_folder("kb_data")
SHIPPED_SCRIPTS_PHRASES = shipped_folder("scripts_phrases")
CONFIG_FILE_NAME = "seat-console.yaml"
DEFAULT_DATABASE = "hotline.db"

# Environment variable -> path of the setting it overrides.
ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "SEAT_CONSOLE_DATABASE": ("database",),
    "SEAT_CONSOLE_SITE_CODE": ("site_code",),
    "SEAT_CONSOLE_AGENT_ID": ("agent", "id"),
    "SEAT_CONSOLE_AGENT_NAME": ("agent", "name"),
    "SEAT_CONSOLE_KB_DATA": ("kb_data",),
    "SEAT_CONSOLE_SCRIPTS_PHRASES": ("scripts_phrases",),
    "SEAT_CONSOLE_CENTER_URL": ("center", "url"),
    "SEAT_CONSOLE_CENTER_TOKEN": ("center", "token"),
    "SEAT_CONSOLE_AUTOSAVE_SECONDS": ("autosave_seconds",),
    "SEAT_CONSOLE_CTI_ENABLED": ("cti", "enabled"),
    "SEAT_CONSOLE_CTI_PORT": ("cti", "port"),
    "SEAT_CONSOLE_CTI_TOKEN": ("cti", "token"),
}
ENV_KEYMAP = "SEAT_CONSOLE_KEYMAP"  # "binding.id=key,other.id=key"

DEFAULT_CONFIG_TEXT = """\
# seat-console configuration (created with defaults on first run).
# Every setting can be overridden by an environment variable, shown after it.
# Relative paths are relative to this file.

database: hotline.db          # SEAT_CONSOLE_DATABASE
site_code: "210102"           # SEAT_CONSOLE_SITE_CODE: 6-digit division code of this (sub-)center
agent:
  id: "8001"                  # SEAT_CONSOLE_AGENT_ID: the agent's 工号
  name: 座席员                # SEAT_CONSOLE_AGENT_NAME
# kb_data: /path/to/kb_data              # SEAT_CONSOLE_KB_DATA (default: the shipped kb_data/)
# scripts_phrases: /path/to/phrases      # SEAT_CONSOLE_SCRIPTS_PHRASES (default: shipped)
center:
  url: null                   # SEAT_CONSOLE_CENTER_URL, e.g. https://center.example:8443
  # allow_insecure: false     # true allows an http:// center off this machine (no TLS)
  token: null                 # SEAT_CONSOLE_CENTER_TOKEN
autosave_seconds: 0.5         # SEAT_CONSOLE_AUTOSAVE_SECONDS: draft autosave period (0.1-1.0)
cti:                          # call events from the telephone system (generic CTI, as Zammad's)
  enabled: true               # SEAT_CONSOLE_CTI_ENABLED: listen while the console runs
  port: 8891                  # SEAT_CONSOLE_CTI_PORT: on 127.0.0.1 only; 0 = any free port
  token: null                 # SEAT_CONSOLE_CTI_TOKEN: if set, POST /cti/<token> (or Bearer)
deadlines:                    # working days on China's calendar (holidays and 调休 counted)
  transfer_working_days: 2    # GB/T 33358 5.2.2.1: hand to the department within 2 working days
  handling_working_days: {consult: 3, help: 5, complaint: 5, report: 10, suggestion: 10, praise: 5, other: 5}
  response_minutes: {sms: 3, web: 3, wechat: 3, app: 3, mailbox: 1440}   # GB/T 33358 5.1.2.3
  near_working_days: 1        # "near deadline" list: due within this many working days
keymap: {}                    # SEAT_CONSOLE_KEYMAP="id=key,id=key"; binding ids: press F1
"""


class AgentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(default="8001", pattern=r"^[0-9A-Za-z]{1,16}$", description="工号")
    name: str = Field(default="座席员", min_length=1, max_length=32)


class CenterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # declared before url: url's check reads it
    allow_insecure: bool = Field(default=False, description="allow http:// off loopback")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    token: str | None = Field(default=None, min_length=8)

    @field_validator("url")
    @classmethod
    def _tls_off_loopback(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The token and citizens' data never cross a network in clear text by accident."""
        if value and value.lower().startswith("http://") and not _loopback(value) \
                and not info.data.get("allow_insecure"):
            raise ValueError("an http:// center off this machine sends the token and citizens' "
                             "data in clear text: use https://, or set center.allow_insecure: "
                             "true")
        return value


def _loopback(url: str) -> bool:
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class CtiConfig(BaseModel):
    """The local endpoint for the telephone system's call events (always 127.0.0.1)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    port: int = Field(default=8891, ge=0, le=65535, description="0: any free port")
    token: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._~-]{8,128}$",
                              description="8-128 of A-Z a-z 0-9 . _ ~ -")


class DeadlineConfig(BaseModel):
    """Time limits (GB/T 33358 5.1.2.3, 5.2.2.1); handling days per 诉求类型 are local policy."""

    model_config = ConfigDict(extra="forbid")
    transfer_working_days: int = Field(default=2, ge=1, le=30)
    handling_working_days: dict[str, int] = {
        "consult": 3, "help": 5, "complaint": 5, "report": 10, "suggestion": 10, "praise": 5,
        "other": 5}
    response_minutes: dict[str, int] = {"sms": 3, "web": 3, "wechat": 3, "app": 3,
                                        "mailbox": 1440}
    near_working_days: int = Field(default=1, ge=0, le=10)

    @field_validator("handling_working_days", "response_minutes")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        for key, number in value.items():
            if number < 1:
                raise ValueError(f"{key} must be at least 1")
        return value


class Config(BaseModel):
    """The validated settings the console runs with."""

    model_config = ConfigDict(extra="forbid")
    source: Path = Field(description="the config file these settings came from")
    database: Path = Path(DEFAULT_DATABASE)
    site_code: str = Field(default="210102", pattern=r"^\d{6}$")
    agent: AgentConfig = AgentConfig()
    kb_data: Path = SHIPPED_KB_DATA
    scripts_phrases: Path = SHIPPED_SCRIPTS_PHRASES
    center: CenterConfig = CenterConfig()
    autosave_seconds: float = Field(default=0.5, ge=0.1, le=1.0)
    deadlines: DeadlineConfig = DeadlineConfig()
    cti: CtiConfig = CtiConfig()
    keymap: dict[str, str] = {}

    @field_validator("keymap")
    @classmethod
    def _keys_not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        for binding_id, keys in value.items():
            if not str(keys).strip():
                raise ValueError(f"keymap entry {binding_id!r} has no key")
        return value


def config_path(cli_path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    if cli_path:
        return Path(cli_path)
    if env.get("SEAT_CONSOLE_CONFIG"):
        return Path(env["SEAT_CONSOLE_CONFIG"])
    database = Path(env.get("SEAT_CONSOLE_DATABASE") or DEFAULT_DATABASE)
    return database.parent / CONFIG_FILE_NAME


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        child = data.get(key)
        if not isinstance(child, dict):
            child = {}
            data[key] = child
        data = child
    data[path[-1]] = value


def _parse_keymap_env(text: str) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        binding_id, sep, keys = item.partition("=")
        if not sep or not binding_id.strip() or not keys.strip():
            raise DataFileError(
                ENV_KEYMAP, None, f"expected 'binding.id=key[,binding.id=key]', got {item!r}"
            )
        keymap[binding_id.strip()] = keys.strip()
    return keymap


def _describe(errors: list[dict[str, Any]], document: YamlDocument, from_env: dict) -> str:
    parts = []
    for error in errors:
        loc = tuple(error["loc"])
        name = ".".join(str(p) for p in loc) or "(top level)"
        env_name = from_env.get(loc) or from_env.get(loc[:1])
        if env_name:
            where = f"environment {env_name}"
        else:
            line = document.line_of(loc)
            where = f"{document.path}:{line}" if line else str(document.path)
        detail = error["msg"]
        if error["type"] == "extra_forbidden":
            detail = "unknown setting"
        parts.append(f"{where}: {name}: {detail} (got {error.get('input')!r})")
    return "; ".join(parts)


def load_config(
    cli_path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    create: bool = True,
) -> Config:
    """Find, create if missing (unless `create` is False), parse, override and validate."""
    env = os.environ if env is None else env
    path = config_path(cli_path, env)
    if not path.exists() and (create or cli_path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(DEFAULT_CONFIG_TEXT, encoding="utf-8")
        except OSError as exc:
            raise DataFileError(path, None, f"cannot create config file: {exc.strerror}") from None
    # without `create`, a missing default file means the defaults, and nothing is written
    document = load_yaml(path) if path.exists() else YamlDocument(path, {}, {})
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise document.error((), "expected a mapping of settings at the top level")
    data = dict(data)
    from_env: dict[tuple[str, ...], str] = {}
    for env_name, setting in ENV_OVERRIDES.items():
        if env_name in env and env[env_name] != "":
            _set_path(data, setting, env[env_name])
            from_env[setting] = env_name
    if env.get(ENV_KEYMAP):
        keymap = data.get("keymap") if isinstance(data.get("keymap"), dict) else {}
        data["keymap"] = {**keymap, **_parse_keymap_env(env[ENV_KEYMAP])}
    base = path.resolve().parent
    for key in ("database", "kb_data", "scripts_phrases"):
        value = data.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            data[key] = str(base / value) if (key,) not in from_env else str(Path(value).resolve())
    if "database" not in data:
        data["database"] = str(base / DEFAULT_DATABASE)
    try:
        return Config(source=path, **data)
    except ValidationError as exc:
        raise ConfigInvalid(_describe(exc.errors(), document, from_env)) from None
    except TypeError as exc:  # e.g. a non-string key at the top level
        raise document.error((), f"invalid settings: {exc}") from None


def keymap_error(config: Config, binding_id: str, message: str) -> DataFileError:
    """An error about one keymap entry, pointing at its line in the config file."""
    document = load_yaml(config.source)
    return document.error(("keymap", binding_id), message)
