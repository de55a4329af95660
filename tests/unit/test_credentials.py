"""Password sources: SLV_PASSWORD, then password_command, then a prompt only on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from slv_tui.common.logs import redact
from slv_tui.settings.config import ConfigError, Settings
from slv_tui.settings.credentials import find_password

SECRET = "Pw-From-Command-7781"


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "pw.py"
    path.write_text(body)
    return f"{sys.executable} {path}"


def test_env_password_wins(tmp_path: Path) -> None:
    settings = Settings(password_command=script(tmp_path, "raise SystemExit(9)"))
    secret = find_password(settings, prompt=False, env={"SLV_PASSWORD": "from-env"})
    assert secret is not None and secret.reveal() == "from-env"
    assert "from-env" not in repr(secret) and "from-env" not in str(secret)
    assert redact("x from-env y") == "x ******** y"  # registered for redaction


def test_password_command_success(tmp_path: Path) -> None:
    settings = Settings(password_command=script(tmp_path, f"print({SECRET!r})"))
    secret = find_password(settings, prompt=False, env={})
    assert secret is not None and secret.reveal() == SECRET  # trailing newline stripped
    assert SECRET not in redact(f"token {SECRET}")


def test_password_command_first_line_only(tmp_path: Path) -> None:
    """`pass show` prints the password, then more lines (login: ..., url: ...): only the first counts."""
    body = f"print({SECRET!r}); print('login: admin'); print('url: https://cms.example.org')"
    secret = find_password(Settings(password_command=script(tmp_path, body)), prompt=False, env={})
    assert secret is not None and secret.reveal() == SECRET


def test_password_command_failure_does_not_leak(tmp_path: Path) -> None:
    leaky = "Leaky-Pa55-0042"
    body = f"import sys\nprint({leaky!r})\nprint({leaky!r}, file=sys.stderr)\nraise SystemExit(3)\n"
    settings = Settings(profile="prod", password_command=script(tmp_path, body))
    with pytest.raises(ConfigError) as info:
        find_password(settings, prompt=False, env={})
    msg = str(info.value)
    assert "servers.prod.password_command" in msg and "exit code 3" in msg
    assert leaky not in msg


def test_password_command_not_found() -> None:
    settings = Settings(password_command="/nonexistent/slv-pass-helper --get")
    with pytest.raises(ConfigError, match="command not found: /nonexistent/slv-pass-helper"):
        find_password(settings, prompt=False, env={})


def test_password_command_prints_nothing(tmp_path: Path) -> None:
    settings = Settings(password_command=script(tmp_path, "pass"))
    with pytest.raises(ConfigError, match="printed no password"):
        find_password(settings, prompt=False, env={})


def test_password_command_unsplittable() -> None:
    with pytest.raises(ConfigError, match="cannot split"):
        find_password(Settings(password_command='pass "unterminated'), prompt=False, env={})


def test_no_source_and_no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert find_password(Settings(), prompt=True, env={}) is None
    assert find_password(Settings(), prompt=False, env={}) is None


@pytest.mark.parametrize(
    ("stdout", "stderr", "code"),
    [
        ("{pw}\\nline two\\n", "{pw} was refused", 2),  # several lines on stdout: each is secret
        ("{pw}   \\n", "   {pw}   ", 2),  # blanks around it
        ("", "{pw}", 0),  # success, but the password went to stderr
        ("", "{pw}", 1),  # failure, and its only word on stderr may be the password
    ],
)
def test_password_command_stderr_never_shows_the_password(
    tmp_path: Path, stdout: str, stderr: str, code: int
) -> None:
    leaky = "Leaky-Pa55-0043"
    body = (
        "import sys\n"
        f"sys.stdout.write({stdout.replace('{pw}', leaky)!r}.replace('\\\\n', chr(10)))\n"
        f"sys.stderr.write({stderr.replace('{pw}', leaky)!r} + chr(10))\n"
        f"raise SystemExit({code})\n"
    )
    settings = Settings(password_command=script(tmp_path, body))
    with pytest.raises(ConfigError) as info:
        find_password(settings, prompt=False, env={})
    assert leaky not in str(info.value) and "Leaky" not in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_password_command_stderr_hint_is_shown_when_it_is_a_sentence(tmp_path: Path) -> None:
    body = (
        "import sys\nprint('gpg: decryption failed: No secret key', file=sys.stderr)\nraise SystemExit(2)\n"
    )
    settings = Settings(password_command=script(tmp_path, body))
    with pytest.raises(ConfigError, match=r"exit code 2 \(it said: gpg: decryption failed: No secret key\)"):
        find_password(settings, prompt=False, env={})
