"""Where passwords and tokens come from: environment → keyring → *_command → prompt; the keyring is
an in-memory test backend set in-process, never the developer's own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from support.memkeyring import FileKeyring

from slv_tui.settings import keystore
from slv_tui.settings.config import Settings
from slv_tui.settings.credentials import find_secret


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileKeyring]:
    monkeypatch.delenv("SLV_TEST_KEYRING", raising=False)
    previous = keyring.get_keyring()
    backend = FileKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def command(tmp_path: Path, printed: str) -> str:
    path = tmp_path / "secret.py"
    path.write_text(f"print({printed!r})\n")
    return f"{sys.executable} {path}"


def test_order_env_keyring_command(memory_keyring: FileKeyring, tmp_path: Path) -> None:
    settings = Settings(profile="lab", username="ops", password_command=command(tmp_path, "from-command"))
    keystore.keep("lab", "ops", "password", "from-keyring")
    found = find_secret(settings, "password", prompt=False, env={"SLV_PASSWORD": "from-env"})
    assert found is not None and found.reveal() == "from-env"
    found = find_secret(settings, "password", prompt=False, env={})
    assert found is not None and found.reveal() == "from-keyring"
    assert keystore.forget("lab", "ops", "password") is True
    assert keystore.forget("lab", "ops", "password") is False
    found = find_secret(settings, "password", prompt=False, env={})
    assert found is not None and found.reveal() == "from-command"


def test_tokens_are_kept_apart_from_passwords(memory_keyring: FileKeyring, tmp_path: Path) -> None:
    settings = Settings(profile="cloud", username="ops", token_command=command(tmp_path, "tok-from-command"))
    keystore.keep("cloud", "ops", "password", "a-password")
    found = find_secret(settings, "token", prompt=False, env={"SLV_PASSWORD": "ignored-for-tokens"})
    assert found is not None and found.reveal() == "tok-from-command"
    keystore.keep("cloud", "ops", "token", "tok-from-keyring")
    found = find_secret(settings, "token", prompt=False, env={})
    assert found is not None and found.reveal() == "tok-from-keyring"
    found = find_secret(settings, "token", prompt=False, env={"SLV_TOKEN": "tok-from-env"})
    assert found is not None and found.reveal() == "tok-from-env"
    assert memory_keyring.memory == {
        "slv-tui/cloud:ops": "a-password",
        "slv-tui/cloud:ops:token": "tok-from-keyring",
    }


def test_other_profiles_and_users_do_not_share(memory_keyring: FileKeyring) -> None:
    keystore.keep("lab", "ops", "password", "lab-secret")
    for settings in (Settings(profile="prod", username="ops"), Settings(profile="lab", username="admin")):
        assert find_secret(settings, "password", prompt=False, env={}) is None


def test_no_keyring_backend() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        with pytest.raises(keystore.KeyringUnavailable, match="no system keyring is available here"):
            keystore.keep("default", "admin", "password", "x-secret")
        assert keystore.lookup("default", "admin", "password") is None  # a lookup never fails a run
    finally:
        keyring.set_keyring(previous)


def test_a_broken_keyring_is_not_fatal_for_a_lookup(memory_keyring: FileKeyring) -> None:
    def broken(service: str, username: str) -> str | None:
        raise RuntimeError("D-Bus said no")

    memory_keyring.get_password = broken  # type: ignore[method-assign]
    assert keystore.lookup("default", "admin", "password") is None
