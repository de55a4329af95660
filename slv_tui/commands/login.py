"""`slv-tui login` / `logout`: keep or forget a profile's password or token in the system keyring.

Exit 0 done; 2 when there is nothing to read it from, or no keyring is usable here (then nothing
changes). Never prints the secret.
"""

from __future__ import annotations

import sys
from typing import TextIO

from slv_tui.commands.output import EXIT_OK, EXIT_USAGE
from slv_tui.common.logs import register_secret
from slv_tui.settings import keystore
from slv_tui.settings.config import Settings
from slv_tui.settings.credentials import ask

MAX_SECRET = 64 * 1024


def _who(settings: Settings) -> str:
    return f"{settings.username} (profile {settings.profile})"


def run_login(settings: Settings, kind: keystore.Kind, *, from_stdin: bool, err: TextIO = sys.stderr) -> int:
    """Ask once (masked), or read the first line of stdin, and keep it in the keyring."""
    try:
        where = keystore.describe()
    except keystore.KeyringUnavailable as exc:
        print(f"slv-tui: {exc}; nothing was kept (use SLV_PASSWORD/SLV_TOKEN or a *_command)", file=err)
        return EXIT_USAGE
    if from_stdin:
        value = sys.stdin.readline(MAX_SECRET).rstrip("\r\n")
    elif sys.stdin.isatty():
        value = ask(f"{kind.capitalize()} for {settings.username} at {settings.url or 'the server'}: ") or ""
    else:
        print(f"slv-tui: error: no terminal to ask for the {kind}; pipe it in with --stdin", file=err)
        return EXIT_USAGE
    if not value:
        print(f"slv-tui: error: no {kind} given; nothing was kept", file=err)
        return EXIT_USAGE
    register_secret(value)
    try:
        keystore.keep(settings.profile, settings.username, kind, value)
    except keystore.KeyringUnavailable as exc:
        print(f"slv-tui: {exc}; nothing was kept", file=err)
        return EXIT_USAGE
    print(f"slv-tui: {kind} for {_who(settings)} kept in the keyring ({where})", file=err)
    return EXIT_OK


def run_logout(settings: Settings, *, err: TextIO = sys.stderr) -> int:
    """Forget the profile's password and token from the keyring."""
    forgotten = []
    try:
        kinds: tuple[keystore.Kind, ...] = ("password", "token")
        for kind in kinds:
            if keystore.forget(settings.profile, settings.username, kind):
                forgotten.append(kind)
    except keystore.KeyringUnavailable as exc:
        print(f"slv-tui: {exc}; nothing was changed", file=err)
        return EXIT_USAGE
    if forgotten:
        print(f"slv-tui: forgot the {' and the '.join(forgotten)} of {_who(settings)}", file=err)
    else:
        print(f"slv-tui: nothing was kept for {_who(settings)}", file=err)
    return EXIT_OK
