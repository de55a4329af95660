"""The cheap test in front of the redaction never lets a secret through: base64 holding a registered
secret (any alignment, either alphabet, glued to other text) and credential-shaped fields are still
redacted, while ordinary text comes back unchanged (and fast)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slv_tui.common import redaction
from slv_tui.common.logs import REDACTED, redact, register_secret

SECRETS = ("Gate-Pw-7781", "zz?>~/+q", "ümlaut-pass")


def _register() -> None:
    """In each test, not at import: another test in this process may have called `forget_all()`."""
    for secret in SECRETS:
        register_secret(secret)


@settings(max_examples=300, deadline=None)
@given(
    secret=st.sampled_from(SECRETS),
    before=st.binary(max_size=5),
    after=st.binary(max_size=5),
    urlsafe=st.booleans(),
    unpadded=st.booleans(),
    glue=st.text(alphabet="ab%2 :", max_size=3),
)
def test_base64_holding_a_secret_is_always_redacted(
    secret: str, before: bytes, after: bytes, urlsafe: bool, unpadded: bool, glue: str
) -> None:
    raw = before + secret.encode() + after
    token = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    token = token.rstrip("=") if unpadded else token
    text = f"echo {glue}{token} done"
    _register()
    assert redact(text) != text and REDACTED in redact(text)


@given(st.sampled_from(["X-CSRF-Token: ab12cd", "JSESSIONID=ab12cd", "Authorization: Basic dTpw",
                        "password=ab12cd", "set-cookie: a=1", "Bearer abcdefgh1234", "api_key: ab12cd",
                        "S\u0130D=ab12cd", "\u017fession=ab12cd"]))  # fmt: skip
def test_fields_shaped_like_credentials_are_redacted(text: str) -> None:
    assert REDACTED in redact(text), text


def test_ordinary_text_is_unchanged_and_cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordinary text never reaches the costly passes (14 s for these 1.4 MB before the cheap test)."""
    _register()
    costly: list[int] = []
    plain = redaction._redact_plain

    def counting(text: str) -> str:
        costly.append(len(text))
        return plain(text)

    monkeypatch.setattr(redaction, "_redact_plain", counting)
    text = " ".join(
        f"Device Lamp-{i:05d} configured on CTRL-7 inside the depot at 12:30" for i in range(20_000)
    )
    assert redact(text) == text
    assert costly == []
    assert redact("Device Lamp-1 password=x") != "Device Lamp-1 password=x" and costly != []
