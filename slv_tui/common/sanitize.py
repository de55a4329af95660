"""The one sanitizer for server text: it can never drive the terminal or break a layout, and it
never shows a secret (the log redaction, `redact`, runs on every text it returns)."""

from __future__ import annotations

import re

from slv_tui.common.lazy_re import LazyPattern
from slv_tui.common.redaction import redact

# C0 controls except TAB/LF, DEL, C1 controls, bidi embeddings/overrides/isolates, and
# the ESC-led sequences (CSI, OSC, DCS, single-char escapes) as whole units.
_ESCAPE_SEQ = LazyPattern(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL/ST
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS/SOS/PM/APC ... ST
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
)
_CONTROLS = LazyPattern(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_NEWLINES = LazyPattern(r"[\r\n\t\v\f\u2028\u2029]+")
_FILLERS = "\u115f\u1160\u3164\uffa0"
"""Hangul fillers: letters (category Lo) that draw nothing, used to forge blank-looking names."""
INVISIBLE_CHARS = (
    _FILLERS + "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
"""Invisible format characters (Unicode category Cf: zero-width spaces and joiners, word joiners,
soft hyphen, interlinear annotations, tag characters, ...) and the Hangul fillers, as the body of a
regular-expression character class."""
_PICTOGRAPHS = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
"""Emoji (Extended_Pictographic, as regular-expression ranges): what a zero-width joiner joins."""
_NOT_JOINERS = INVISIBLE_CHARS.replace("\u200b-\u200f", "\u200b\u200c\u200e\u200f")
_INVISIBLE = LazyPattern(
    f"[{_NOT_JOINERS}]|(?<![{_PICTOGRAPHS}\ufe0f\U0001f3fb-\U0001f3ff])\u200d|\u200d(?![{_PICTOGRAPHS}])"
)
"""Every invisible character but a zero-width joiner inside an emoji sequence (👩‍💻 stays one
picture, not 👩 and 💻)."""
_HAS_FILLER = re.compile(f"[{_FILLERS}]")

DEFAULT_MAX_LENGTH = 2000


def clean(text: object, *, max_length: int = DEFAULT_MAX_LENGTH, single_line: bool = True) -> str:
    """Return text safe to show: no escape sequences, controls, bidi overrides or invisible format
    characters, no known secret (password, token, cookie, Basic credentials: as in the logs),
    bounded. For server text and for anything the app shows that came from a user or a file (labels,
    paths, config values): every output path (stdout, reports, alerts, the screen) shows text
    through here."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if s.isprintable() and len(s) <= max_length and (s.isascii() or not _HAS_FILLER.search(s)):
        shown = redact(s)  # fast path: the common case needs no cleaning (category Cf is never printable)
        return shown if len(shown) <= max_length else _cut(shown, max_length)
    s = _ESCAPE_SEQ.sub("", s)
    if single_line:
        s = _NEWLINES.sub(" ", s)
    else:
        s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    s = _CONTROLS.sub("", s)
    s = _INVISIBLE.sub("", s)
    s = redact(s)  # before the cut: a secret cut in two would not be recognised
    return s if len(s) <= max_length else _cut(s, max_length)


def _cut(text: str, max_length: int) -> str:
    """`text` cut to `max_length` characters with `…`, never inside a grapheme (an emoji sequence, a
    flag, a letter and its accents)."""
    from wcwidth import iter_graphemes

    kept, size = [], 0
    for grapheme in iter_graphemes(text):
        if size + len(grapheme) > max_length - 1:
            break
        kept.append(grapheme)
        size += len(grapheme)
    return "".join(kept) + "…"
