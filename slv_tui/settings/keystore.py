"""The system keyring (through the `keyring` library): one password or token per profile and user.

`keyring` is imported only when a secret is looked up, kept or forgotten. A keyring that fails is
never fatal for a run: a lookup that fails is logged and counts as "nothing kept".
"""

from __future__ import annotations

import logging
from typing import Any, Literal

log = logging.getLogger(__name__)

SERVICE = "slv-tui"
Kind = Literal["password", "token"]


class KeyringUnavailable(Exception):
    """No usable keyring backend here (e.g. a headless Linux console), or the keyring failed."""


def account(profile: str, username: str, kind: Kind) -> str:
    """The keyring entry name: `profile:user` for a password, `profile:user:token` for a token."""
    name = f"{profile}:{username}"
    return f"{name}:token" if kind == "token" else name


def _backend() -> Any:
    """The keyring backend, or KeyringUnavailable with a one-line reason."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend configuration must never take a run down
        raise KeyringUnavailable(f"the keyring could not be opened ({type(exc).__name__})") from None
    if isinstance(backend, fail.Keyring | null.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        raise KeyringUnavailable(
            "no system keyring is available here (no Secret Service, Keychain or Credential Locker)"
        )
    return backend


def describe() -> str:
    """Which keyring backend is in use, e.g. `SecretService Keyring`."""
    backend = _backend()
    return str(getattr(backend, "name", type(backend).__name__))


def lookup(profile: str, username: str, kind: Kind) -> str | None:
    """The kept secret, or None when none is kept or no keyring is usable (never raises)."""
    try:
        value = _backend().get_password(SERVICE, account(profile, username, kind))
    except KeyringUnavailable:
        return None
    except Exception as exc:  # locked keyring, D-Bus trouble, ...
        log.warning("keyring lookup failed: %s", type(exc).__name__)
        return None
    return value if isinstance(value, str) and value else None


def keep(profile: str, username: str, kind: Kind, value: str) -> None:
    """Keep the secret; KeyringUnavailable when that is not possible."""
    backend = _backend()
    try:
        backend.set_password(SERVICE, account(profile, username, kind), value)
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring refused to keep it ({type(exc).__name__})") from None


def forget(profile: str, username: str, kind: Kind) -> bool:
    """Forget the secret; False when none was kept; KeyringUnavailable when no keyring is usable."""
    backend = _backend()
    try:
        from keyring.errors import PasswordDeleteError

        backend.delete_password(SERVICE, account(profile, username, kind))
    except PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring refused to forget it ({type(exc).__name__})") from None
    return True
