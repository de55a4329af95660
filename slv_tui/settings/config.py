"""TOML config with server profiles, merged with environment and command line (CLI > env > profile)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from slv_tui.slv.modes import AUTH_CHOICES, AuthChoice
from slv_tui.store.files import UnsafeFileError, read_regular

DEFAULT_PROFILE = "default"
LOG_LEVELS = ("debug", "info", "warning", "error")
_PROFILE_KEYS: dict[str, type] = {
    "url": str,
    "username": str,
    "auth": str,
    "verify": bool,
    "ca_bundle": str,
    "password_command": str,
    "token_command": str,
    "timeout": float,
    "interval": float,
    "concurrency": int,
    "read_only": bool,
    "stall_after": object,  # control room: seconds, 0 disables; checked in _stall_after
    "notify": dict,  # control room: [servers.NAME.notify], as [notify]
}
_TOP_KEYS = {"default_profile", "servers", "ui", "logging", "notify"}
_UI_KEYS: dict[str, type] = {
    "bell": bool,
    "export_dir": str,
    "notify_finished": str,
    "notify_failed": str,
    "notify_cancel_requested": str,
}
NOTIFY_CHANNELS = ("off", "desktop", "terminal", "bell")
"""What `[ui] notify_*` may say (see config.example.toml)."""
_LOG_KEYS: dict[str, type] = {"level": str}


class ConfigError(Exception):
    """The configuration is unusable; the message names the file, the key and what was expected."""


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line said (None = not given)."""

    url: str | None = None
    username: str | None = None
    auth: str | None = None
    profile: str | None = None
    timeout: float | None = None
    interval: float | None = None
    insecure: bool = False
    log_level: str | None = None
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved settings one run works with."""

    profile: str = DEFAULT_PROFILE
    url: str | None = None
    username: str = "admin"
    auth: AuthChoice = "auto"
    verify: bool = True
    ca_bundle: str | None = None
    password_command: str | None = None
    token_command: str | None = None
    timeout: float = 10.0
    interval: float = 2.0
    concurrency: int = 4
    bell: bool = False
    notify: tuple[tuple[str, str], ...] = ()
    """(event, channel) from `[ui] notify_finished`, `notify_failed`, `notify_cancel_requested`."""
    export_dir: Path | None = None
    """Where e and E write (`[ui] export_dir`); None: the user's downloads or documents folder."""
    log_level: str = "info"
    config_file: Path | None = None
    read_only: bool = False
    """Nothing that changes the server is offered or accepted (--read-only, profile `read_only`)."""
    stall_after: float = 900.0
    """Seconds without movement after which a running batch is stalled (profile `stall_after`; 0: off)."""
    notify_urls: tuple[str, ...] = ()
    """Apprise URLs (secrets) from `[notify] urls` or `[servers.NAME.notify] urls`."""
    notify_urls_command: str | None = None
    """A command whose first stdout line is one more Apprise URL (run like password_command)."""
    notify_events: tuple[str, ...] = (
        "failed", "completed_with_errors", "stalled", "cancelled", "server_down", "server_up",
    )  # fmt: skip


def check_files(settings: Settings) -> None:
    """Files the settings point at must be usable (checked before a connection, not when resolving)."""
    bundle = settings.ca_bundle
    if bundle is not None and settings.verify and not (os.path.isfile(bundle) and os.access(bundle, os.R_OK)):
        where = f"{settings.config_file}: " if settings.config_file else ""
        raise ConfigError(f"{where}servers.{settings.profile}.ca_bundle: no readable file {bundle}")


MAX_CONFIG_BYTES = 1024 * 1024
"""A config file larger than this is no config (a link to /dev/zero): refused, never read whole."""


def read_config(path: Path, *, required: bool) -> dict[str, Any]:
    """Parse a TOML file; a missing optional file is an empty config.

    A FIFO, a device, a file over MAX_CONFIG_BYTES or one every user may write is refused.
    """
    try:
        raw = read_regular(path, MAX_CONFIG_BYTES, refuse_world_writable=True)
    except UnsafeFileError as exc:
        raise ConfigError(str(exc)) from None
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: file not found") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    import tomllib  # here: most runs have no config file, and a start-up need not pay for the parser

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML (not UTF-8 text: byte {exc.start})") from None
    _check_table(path, "", data, {k: object for k in _TOP_KEYS})
    return data


def _check_table(path: Path, prefix: str, table: Any, spec: dict[str, type]) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {prefix.rstrip('.')}: expected a table")
    for key, value in table.items():
        if key not in spec:
            known = ", ".join(sorted(spec))
            raise ConfigError(f"{path}: {prefix}{key}: unknown key (expected one of: {known})")
        _check_type(path, prefix + key, value, spec[key])


def _check_type(path: Path, key: str, value: Any, expected: type) -> None:
    if expected is object:
        return
    if expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        ok = value > 0 and math.isfinite(value)
        if not ok:
            raise ConfigError(f"{path}: {key}: expected a positive number, got {value!r}")
        return
    if expected is int and isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise ConfigError(f"{path}: {key}: expected a whole number >= 1, got {value!r}")
        return
    if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
        names = {
            str: "a string", bool: "true or false", float: "a number", int: "a whole number", dict: "a table",
        }  # fmt: skip
        raise ConfigError(f"{path}: {key}: expected {names.get(expected, expected.__name__)}, got {value!r}")


def resolve(overrides: Overrides, config_path: Path | None, env: Mapping[str, str] | None = None) -> Settings:
    """Merge command line, environment and the config file's profile into `Settings`."""
    env = os.environ if env is None else env
    env_config = env.get("SLV_TUI_CONFIG") or None  # empty = unset, as in `paths.default_config_file`
    explicit = config_path is not None or env_config is not None
    path = config_path or (Path(env_config).expanduser() if env_config else None)
    if path is None:
        from slv_tui.common.paths import default_config_file

        path = default_config_file()
    data = read_config(path, required=explicit)
    servers = data.get("servers", {})
    _check_type(path, "servers", servers, dict)
    profile_name = overrides.profile or str(data.get("default_profile") or DEFAULT_PROFILE)
    if overrides.profile and overrides.profile not in servers:
        if not data and not path.exists():
            raise ConfigError(
                f"no profile {overrides.profile!r}: there is no config file {path}"
                " (create it, or give --config / SLV_TUI_CONFIG)"
            )
        known = ", ".join(sorted(servers)) or "none defined"
        raise ConfigError(f"{path}: servers.{overrides.profile}: no such profile (defined: {known})")
    if "default_profile" in data and profile_name not in servers:
        known = ", ".join(sorted(servers)) or "none defined"
        raise ConfigError(f"{path}: default_profile: no profile {profile_name!r} under [servers] ({known})")
    profile = servers.get(profile_name, {})
    _check_table(path, f"servers.{profile_name}.", profile, _PROFILE_KEYS)
    ui = data.get("ui", {})
    _check_table(path, "ui.", ui, _UI_KEYS)
    logging_table = data.get("logging", {})
    _check_table(path, "logging.", logging_table, _LOG_KEYS)

    auth = overrides.auth or profile.get("auth", "auto")
    if auth not in AUTH_CHOICES:
        expected = ", ".join(repr(c) for c in AUTH_CHOICES)
        raise ConfigError(f"{path}: servers.{profile_name}.auth: expected one of {expected}, got {auth!r}")
    verify = False if overrides.insecure else bool(profile.get("verify", True))
    ca_bundle = profile.get("ca_bundle")
    if ca_bundle is not None:
        ca_bundle = str(Path(ca_bundle).expanduser())
    level = (overrides.log_level or logging_table.get("level", "info")).lower()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{path}: logging.level: expected one of {', '.join(LOG_LEVELS)}, got {level!r}")
    notify = []
    for event in ("finished", "failed", "cancel_requested"):
        channel = ui.get(f"notify_{event}", "off")
        if channel not in NOTIFY_CHANNELS:
            expected = ", ".join(repr(c) for c in NOTIFY_CHANNELS)
            raise ConfigError(f"{path}: ui.notify_{event}: expected one of {expected}, got {channel!r}")
        notify.append((event, str(channel)))
    return Settings(
        profile=profile_name,
        url=overrides.url or env.get("SLV_URL") or profile.get("url"),
        username=overrides.username or env.get("SLV_USERNAME") or profile.get("username") or "admin",
        auth=cast(AuthChoice, auth),
        verify=verify,
        ca_bundle=ca_bundle,
        password_command=profile.get("password_command"),
        token_command=profile.get("token_command"),
        timeout=overrides.timeout or float(profile.get("timeout", 10.0)),
        interval=overrides.interval or float(profile.get("interval", 2.0)),
        concurrency=int(profile.get("concurrency", 4)),
        bell=bool(ui.get("bell", False)),
        notify=tuple(notify),
        export_dir=Path(ui["export_dir"]).expanduser() if ui.get("export_dir") else None,
        log_level=level,
        config_file=path if path.exists() else None,
        read_only=overrides.read_only or bool(profile.get("read_only", False)),
        stall_after=_stall_after(path, profile_name, profile.get("stall_after", 900.0)),
        **_notify(path, profile_name, data.get("notify", {}), profile.get("notify")),
    )


# -- control room: stall_after and notify ------------------------------------------------------


def _stall_after(path: Path, profile: str, value: Any) -> float:
    """`stall_after`: a number of seconds >= 0 (0 disables stall detection)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise ConfigError(f"{path}: servers.{profile}.stall_after: expected 0 or more seconds, got {value!r}")
    return float(value)


_NOTIFY_KEYS: dict[str, type] = {"urls": list, "urls_command": str, "events": list}
NOTIFY_EVENTS = (
    "failed",
    "completed_with_errors",
    "stalled",
    "cancelled",
    "server_down",
    "server_up",
    "finished",
)


def _notify(path: Path, profile: str, top: Any, own: Any) -> dict[str, Any]:
    """`[notify]`, or the profile's own `[servers.NAME.notify]` when it has one (it wins whole)."""
    where, table = ("notify.", top) if own is None else (f"servers.{profile}.notify.", own)
    if isinstance(table, dict) and not isinstance(table.get("urls", []), list):
        raise ConfigError(
            f"{path}: {where}urls: expected a list of strings (the value is not shown: a secret)"
        )
    _check_table(path, where, table, _NOTIFY_KEYS)
    out: dict[str, Any] = {}
    for key in ("urls", "events"):
        if key in table:
            items = table[key]
            if not all(isinstance(i, str) and i.strip() for i in items):
                raise ConfigError(f"{path}: {where}{key}: expected a list of non-empty strings")
            out[f"notify_{key}"] = tuple(i.strip() for i in items)
    unknown = [e for e in out.get("notify_events", ()) if e not in NOTIFY_EVENTS]
    if unknown:
        raise ConfigError(
            f"{path}: {where}events: unknown {unknown[0]!r} (expected: {', '.join(NOTIFY_EVENTS)})"
        )
    if "urls_command" in table:
        out["notify_urls_command"] = table["urls_command"]
    return out
