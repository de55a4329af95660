"""Where the password (or bearer token) comes from: the environment (SLV_PASSWORD / SLV_TOKEN), the
system keyring (after `slv-tui login`), the profile's password_command / token_command, or a prompt."""

from __future__ import annotations

import getpass
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping

from slv_tui.common.logs import redact, register_secret
from slv_tui.common.sanitize import clean
from slv_tui.settings import keystore
from slv_tui.settings.config import ConfigError, Settings
from slv_tui.slv.auth import Secret

COMMAND_TIMEOUT = 30.0


ENV_VARS: dict[keystore.Kind, str] = {"password": "SLV_PASSWORD", "token": "SLV_TOKEN"}


def find_password(settings: Settings, *, prompt: bool, env: Mapping[str, str] | None = None) -> Secret | None:
    """The password from the first source that has one; None when none has and prompting is off."""
    return find_secret(settings, "password", prompt=prompt, env=env)


def find_secret(
    settings: Settings, kind: keystore.Kind, *, prompt: bool, env: Mapping[str, str] | None = None
) -> Secret | None:
    """The password or token from the first source that has one: environment, keyring, the
    profile's command, a prompt; None when none has and prompting is off."""
    env = os.environ if env is None else env
    if env.get(ENV_VARS[kind]):
        return _remember(env[ENV_VARS[kind]])
    kept = keystore.lookup(settings.profile, settings.username, kind)
    if kept:
        return _remember(kept)
    command = settings.token_command if kind == "token" else settings.password_command
    if command:
        where = f"servers.{settings.profile}.{kind}_command"
        if settings.config_file is not None:
            where = f"{settings.config_file}: {where}"
        return _remember(_run_password_command(command, where, kind))
    if prompt and sys.stdin.isatty():
        typed = ask(f"{kind.capitalize()} for {settings.username} at {settings.url}: ")
        return _remember(typed) if typed else None
    return None


def ask(question: str) -> str | None:
    """Read a secret from the terminal without echo; None on Ctrl-D (Ctrl-C propagates: exit 130)."""
    try:
        return getpass.getpass(question)
    except EOFError:
        return None


def _remember(value: str) -> Secret:
    register_secret(value)
    return Secret(value)


def _run_password_command(command: str, where: str, kind: str = "password") -> str:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{where}: cannot split the command ({exc})") from None
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=COMMAND_TIMEOUT, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise ConfigError(f"{where}: command not found: {argv[0] if argv else '(empty)'}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where}: the command did not finish within {COMMAND_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot run the command ({exc.strerror})") from None
    printed = done.stdout.decode("utf-8", errors="replace")
    password = printed.split("\n", 1)[0].rstrip("\r")  # the first line only, as `pass show` expects
    if done.returncode != 0:
        _register_all(printed)  # whatever it printed is never shown, not even in its own stderr
        raise ConfigError(f"{where}: the command failed with exit code {done.returncode}{_said(done.stderr)}")
    if not password:
        # Success without a password on stdout: it most likely went to stderr, so that is not shown.
        lines = len(done.stderr.decode("utf-8", errors="replace").splitlines())
        hint = (
            f" ({lines} line(s) on stderr, not shown: it should print the {kind} on stdout)" if lines else ""
        )
        raise ConfigError(f"{where}: the command printed no {kind}{hint}")
    return password


def _register_all(printed: str) -> None:
    """Register what a failed command printed: whole, and each line with and without blanks around it."""
    register_secret(printed.rstrip("\r\n"))
    for line in printed.splitlines():
        register_secret(line)
        register_secret(line.strip())


def _said(stderr: bytes) -> str:
    """The last line the command wrote on stderr, as a hint: `(it said: ...)`, or nothing.

    A line of one word is not shown: it may well be the password itself.
    """
    lines = [line for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    if not lines:
        return ""
    said = redact(clean(lines[-1].strip(), max_length=200))
    if len(said.split()) < 2:
        return " (its stderr is not shown: one word, perhaps the password)"
    return f" (it said: {said})"


def run_secret_command(command: str, where: str, kind: str) -> str:
    """The first stdout line of a command (as password_command), registered as a secret."""
    return _remember(_run_password_command(command, where, kind)).reveal()
