"""TOML config with server profiles, merged with environment and command line (CLI > env > profile)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, cast, get_args, get_type_hints

from slv_tui.slv.modes import AUTH_CHOICES, AuthChoice
from slv_tui.store.files import UnsafeFileError, read_regular

DEFAULT_PROFILE = "default"
LOG_LEVELS = ("debug", "info", "warning", "error")
NOTIFY_CHANNELS = ("off", "desktop", "terminal", "bell")
"""What `[ui] notify_*` may say (see config.example.toml)."""
ALERT_EVENTS = ("finished", "failed", "cancel_requested")
"""The events of `[ui] notify_EVENT`."""


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


def _from(table: str, *keys: str, default: Any = None, kind: type | None = None) -> Any:
    """A Settings field read from the config: `[table]` ("" for the top level) under `keys` (default:
    the field's name), as TOML type `kind` (default: the field's own type without None)."""
    return field(default=default, metadata={"config": (table, keys, kind)})


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved settings one run works with. The config file's keys are derived from these
    fields (`_from`): each key is declared once, here."""

    profile: str = _from("", "default_profile", default=DEFAULT_PROFILE)
    url: str | None = _from("servers")
    username: str = _from("servers", default="admin")
    auth: AuthChoice = _from("servers", default="auto", kind=str)
    verify: bool = _from("servers", default=True)
    ca_bundle: str | None = _from("servers")
    password_command: str | None = _from("servers")
    token_command: str | None = _from("servers")
    timeout: float = _from("servers", default=10.0)
    interval: float = _from("servers", default=2.0)
    concurrency: int = _from("servers", default=4)
    bell: bool = _from("ui", default=False)
    notify: tuple[tuple[str, str], ...] = _from(
        "ui", *(f"notify_{event}" for event in ALERT_EVENTS), default=(), kind=str
    )
    """(event, channel) from `[ui] notify_finished`, `notify_failed`, `notify_cancel_requested`."""
    export_dir: Path | None = _from("ui", kind=str)
    """Where e and E write (`[ui] export_dir`); None: the user's downloads or documents folder."""
    log_level: str = _from("logging", "level", default="info")
    config_file: Path | None = None
    color: str = _from("servers", default="")
    """The profile's colour in a dashboard of several servers: a colour name or #rrggbb."""
    dashboard_profiles: tuple[str, ...] = _from("dashboard", "profiles", default=(), kind=list)
    """`[dashboard] profiles`: the servers the dashboard watches together when no --profile is given."""
    read_only: bool = _from("servers", default=False)
    """Nothing that changes the server is offered or accepted (--read-only, profile `read_only`)."""
    stall_after: float = _from("servers", default=900.0, kind=object)
    """Seconds without movement after which a running batch is stalled (profile `stall_after`; 0: off;
    checked by `_stall_after`, as 0 is allowed there)."""
    notify_urls: tuple[str, ...] = _from("notify", "urls", default=(), kind=list)
    """Apprise URLs (secrets) from `[notify] urls` or `[servers.NAME.notify] urls`."""
    notify_urls_command: str | None = _from("notify", "urls_command")
    """A command whose first stdout line is one more Apprise URL (run like password_command)."""
    notify_events: tuple[str, ...] = _from(
        "notify", "events", kind=list,
        default=("failed", "completed_with_errors", "stalled", "cancelled", "server_down", "server_up"),
    )  # fmt: skip
    keymap: tuple[tuple[str, str], ...] = _from("", "keymap", default=(), kind=dict)
    """(binding ID, keys) from `[keymap]`: the dashboard's keys rebound (Textual's `App.set_keymap`)."""


def _toml_kind(hint: Any) -> type:
    """The TOML type of a field's type: `str | None` is str; anything else must be said in `_in`."""
    args = [a for a in get_args(hint) if a is not NoneType] if isinstance(hint, UnionType) else [hint]
    if len(args) == 1 and args[0] in (str, bool, float, int):
        return cast(type, args[0])
    raise TypeError(f"Settings: say the TOML type of {hint!r} (kind=...)")  # pragma: no cover


def _keys(table: str, hints: dict[str, Any]) -> dict[str, type]:
    """The keys of `[table]` ("" for the top level) and their TOML types, from the Settings fields."""
    spec: dict[str, type] = {}
    for item in fields(Settings):
        if "config" in item.metadata and item.metadata["config"][0] == table:
            _table, keys, kind = item.metadata["config"]
            for key in keys or (item.name,):
                spec[key] = kind or _toml_kind(hints[item.name])
    return spec


_TABLES = ("servers", "ui", "logging", "notify", "dashboard")
_HINTS = get_type_hints(Settings)  # once: each call evaluates every annotation again
_PROFILE_KEYS = {**_keys("servers", _HINTS), "notify": dict}
"""A profile's keys; its own `[servers.NAME.notify]` table holds the keys of `[notify]`."""
_UI_KEYS = _keys("ui", _HINTS)
_LOG_KEYS = _keys("logging", _HINTS)
_NOTIFY_KEYS = _keys("notify", _HINTS)
_DASHBOARD_KEYS = _keys("dashboard", _HINTS)
COLOR = re.compile(r"#[0-9a-fA-F]{6}|[a-z]+(_[a-z0-9]+)*[0-9]*")
"""A profile's `color`: a colour name (e.g. "red", "bright_cyan") or #rrggbb; nothing else is read."""
_TOP_KEYS = {**_keys("", _HINTS), **dict.fromkeys(_TABLES, dict)}


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


def _config(config_path: Path | None, env: Mapping[str, str]) -> tuple[Path, dict[str, Any]]:
    """The config file's path (--config, SLV_TUI_CONFIG, or the default place) and its content."""
    env_config = env.get("SLV_TUI_CONFIG") or None  # empty = unset, as in `paths.default_config_file`
    explicit = config_path is not None or env_config is not None
    path = config_path or (Path(env_config).expanduser() if env_config else None)
    if path is None:
        from slv_tui.common.paths import default_config_file

        path = default_config_file()
    return path, read_config(path, required=explicit)


def profile_names(config_path: Path | None, env: Mapping[str, str] | None = None) -> list[str]:
    """Every profile under `[servers]`, in the file's order (`--all-profiles`)."""
    path, data = _config(config_path, os.environ if env is None else env)
    servers = data.get("servers", {})
    _check_type(path, "servers", servers, dict)
    return [str(name) for name in servers]


def resolve(overrides: Overrides, config_path: Path | None, env: Mapping[str, str] | None = None) -> Settings:
    """Merge command line, environment and the config file's profile into `Settings`."""
    env = os.environ if env is None else env
    path, data = _config(config_path, env)
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
    dashboard = data.get("dashboard", {})
    _check_table(path, "dashboard.", dashboard, _DASHBOARD_KEYS)
    shown = dashboard.get("profiles", [])
    for name in shown:
        if not isinstance(name, str) or name not in servers:
            known = ", ".join(sorted(servers)) or "none defined"
            raise ConfigError(f"{path}: dashboard.profiles: no profile {name!r} under [servers] ({known})")
    color = profile.get("color", "")
    if color and not COLOR.fullmatch(color):
        where = f"{path}: servers.{profile_name}.color"
        raise ConfigError(f"{where}: expected a colour name or #rrggbb, got {color!r}")

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
    for event in ALERT_EVENTS:
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
        color=color,
        dashboard_profiles=tuple(shown),
        stall_after=_stall_after(path, profile_name, profile.get("stall_after", 900.0)),
        **_notify(path, profile_name, data.get("notify", {}), profile.get("notify")),
        keymap=_keymap(path, data.get("keymap", {})),
    )


# -- control room: stall_after and notify ------------------------------------------------------


def _stall_after(path: Path, profile: str, value: Any) -> float:
    """`stall_after`: a number of seconds >= 0 (0 disables stall detection)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise ConfigError(f"{path}: servers.{profile}.stall_after: expected 0 or more seconds, got {value!r}")
    return float(value)


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


# -- [keymap] ------------------------------------------------------------------------------------


def _keymap(path: Path, table: Any) -> tuple[tuple[str, str], ...]:
    """`[keymap]`: binding ID = "keys" (Textual's key names, comma-separated); the IDs are checked
    against the dashboard's bindings by `check_keymap` when the dashboard starts."""
    _check_type(path, "keymap", table, dict)
    out = []
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip() or not keys.isprintable():
            raise ConfigError(
                f'{path}: keymap.{binding_id}: expected keys such as "a" or "ctrl+a,f5", got {keys!r}'
            )
        out.append((str(binding_id), ",".join(k.strip() for k in keys.split(","))))
    return tuple(out)


def check_keymap(settings: Settings, binding_ids: Collection[str]) -> None:
    """Every `[keymap]` entry must name a binding of the dashboard (else a one-line ConfigError)."""
    for binding_id, _keys in settings.keymap:
        if binding_id not in binding_ids:
            where = f"{settings.config_file}: " if settings.config_file else ""
            known = ", ".join(sorted(binding_ids))
            raise ConfigError(f"{where}keymap.{binding_id}: unknown binding id (known: {known})")
