"""Batch IDs: strings of 1 to 19 digits, validated before any request is made."""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,19}")
_SEPARATORS = re.compile(r"[\s,;]+")


class InvalidBatchId(ValueError):
    """A token that is not a batch ID; the message is one line a user can act on."""


def validate_id(token: str) -> str:
    """Return `token` if it is exactly a batch ID (nothing around the digits), else raise `InvalidBatchId`."""
    if _ID.fullmatch(token):
        return token
    shown = token if len(token) <= 40 else token[:39] + "…"
    if token.isascii() and token.isdigit():
        raise InvalidBatchId(f"invalid batch ID {shown!r}: more than 19 digits")
    if token.strip() != token and _ID.fullmatch(token.strip()):
        raise InvalidBatchId(f"invalid batch ID {shown!r}: expected 1 to 19 digits (no spaces)")
    raise InvalidBatchId(f"invalid batch ID {shown!r}: expected 1 to 19 digits")


def split_ids(text: str) -> tuple[list[str], list[str]]:
    """Split text on spaces, commas, semicolons or new lines into (valid IDs, error lines)."""
    valid: list[str] = []
    problems: list[str] = []
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        try:
            batch_id = validate_id(token)
        except InvalidBatchId as exc:
            problems.append(str(exc))
            continue
        if batch_id not in valid:
            valid.append(batch_id)
    return valid, problems
