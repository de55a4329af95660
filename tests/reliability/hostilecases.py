"""The reproductions of security probes ("hostile answers and local attackers") as rows of
docs/RELIABILITY.md, and the figures their tests measure (rows 1-12: the first probe; from 13: a later
one).

The rows (what the attacker does, what slv-tui does now, which tests check it) are static and
checked for currency on every run. The measured figures vary from run to run: the tests record them
with `record()`; they are written into the doc only with SLV_WRITE_RELIABILITY=1 and never compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from .docfile import WRITE, update_hostile_figure


@dataclass(frozen=True)
class Case:
    number: int
    attacker: str
    now: str
    tests: tuple[str, ...]


CASES = (
    Case(
        1,
        "gzip of gzip of zeros, `Content-Encoding: gzip, gzip` (the probe: 4 GiB in 6.8 KB; the test:"
        " 1 GiB in 2 KB); one gzip layer of 1 GiB",
        "the second encoding is refused unread (`protocol error: … stacked content encodings`, exit 3);"
        " one gzip layer is decoded with a running limit and stops at the 64 MiB cap",
        (
            "test_hostile_memory.py::test_stacked_gzip_is_refused_at_once",
            "test_hostile_memory.py::test_a_gzip_bomb_stops_at_the_size_cap",
        ),
    ),
    Case(
        2,
        "form login: a 1 GiB `auth.json` (1 MB of gzip)",
        "read through the same capped reader with a 1 MiB cap: one-line error, exit 3",
        ("test_hostile_memory.py::test_form_login_reads_auth_json_with_a_small_cap",),
    ),
    Case(
        3,
        "drips one byte every 0.5 s (headers, body, form login); one dripping batch among fast ones",
        "`--timeout` is the whole request: `timeout: …`, exit 3 once it has passed; `follow` prints"
        " each batch as its answer arrives, the dripping one does not hold the others back",
        (
            "test_deadlines.py::test_status_timeout_bounds_the_whole_request",
            "test_hostile_local.py::test_form_login_timeout_bounds_a_dripping_auth_json",
            "test_deadlines.py::test_follow_prints_a_fast_batch_while_a_slow_one_drips",
        ),
    ),
    Case(
        4,
        '8 MiB of `"infoMessages":[{},{},…]` (2.8 M messages) under the size cap',
        "refused while decoding (`too many values`, exit 3); a real batch of 100 x 1,000 messages"
        " (17 MB) is printed (streamed JSON) within 6x its size",
        (
            "test_hostile_memory.py::test_millions_of_empty_messages_are_refused_cheaply",
            "test_hostile_memory.py::test_a_huge_real_batch_is_printed_within_6x_its_size",
        ),
    ),
    Case(
        5,
        "a 400-digit number as progress and as a flag",
        "an unreadable value (`null`): `status` prints the batch, exit 0; `follow` prints it and ends",
        (
            "test_hostile_memory.py::test_a_400_digit_number_is_an_unreadable_value",
            "test_hostile_local.py::test_follow_ends_on_a_400_digit_number",
        ),
    ),
    Case(
        6,
        "an OSC 0 title and an OSC 52 clipboard write in a watchlist label, opened in the label dialog",
        "cleaned in the dialog's input and in the bytes drawn for the terminal; a pasted OSC is dropped",
        ("test_terminal_safety_ui.py::test_label_dialog_shows_a_hostile_label_cleaned",),
    ),
    Case(
        7,
        "another local user: reads lock and data files, plants a symlinked `.lock`, holds the lock",
        "folders 0700, files and locks 0600; a symlinked lock is refused; a held lock gives up after a"
        " short timeout with one line, and the dashboard waits for it off the event loop",
        (
            "test_hostile_local.py::test_local_files_are_private_and_locks_never_hang",
            "tests/ui/test_dashboard.py::test_a_save_waiting_for_a_lock_never_freezes_the_screen",
        ),
    ),
    Case(
        8,
        "`--debug` with a Basic token echoed with JSON `\\/` escapes, an echoed `JSESSIONID`, a CSRF token",
        "log folder 0700 and file 0600; tokens, session cookies and CSRF tokens redacted (`********`)",
        ("test_logging.py::test_debug_bodies_hide_escaped_basic_tokens_sessions_and_csrf_tokens",),
    ),
    Case(
        9,
        "a world-writable config setting `password_command` and `url`",
        "refused like ssh does (one line, exit 2): the command is not run, no request is sent",
        ("test_hostile_local.py::test_a_world_writable_config_is_refused_and_not_run",),
    ),
    Case(
        10,
        "invisible characters (U+200B, U+2060-U+206F, U+FFF9-U+FFFB, U+00AD, U+180E, U+3164, tags)"
        " in a server answer",
        "dropped by `clean()`: none reaches the dashboard screen, the letters around them stay",
        ("test_hostile_local.py::test_invisible_characters_never_reach_the_dashboard",),
    ),
    Case(
        11,
        "`--url` with DEL or `xn--.com`; a non-PEM `ca_bundle` for the dashboard; a FIFO or"
        " `/dev/zero` as `--config` or `ui-state.json`",
        "usage errors in one line (exit 2), no traceback; FIFOs and devices refused without blocking",
        (
            "test_hostile_local.py::test_bad_inputs_are_one_line_usage_errors_that_never_hang",
            "tests/ui/test_dashboard.py::test_a_fifo_as_the_ui_state_file_neither_hangs_nor_fails",
        ),
    ),
    Case(
        12,
        "`password_command` printing several lines; a UTF-8 BOM before the JSON; `--interval 1e-9`",
        "the first line is the password; the BOM is skipped; the interval is raised to the 0.5 s floor"
        " with a note",
        (
            "test_hostile_local.py::test_password_command_first_line_and_a_bom",
            "test_hostile_local.py::test_interval_floor_bounds_the_request_rate",
        ),
    ),
    Case(
        13,
        "a server echoing our request headers in its error object: the Basic credentials (base64 of"
        " user:password), the CSRF token and session cookie; `getCurrentUser` reporting the password as"
        " the login",
        "every output goes through the log redaction (`clean()` for text, reports, alerts and the screen;"
        " `dumps()` for every JSON): `********` in `status`, `status --json`, `report`, `check --json`",
        (
            "test_output_redaction.py::test_status_json_never_prints_the_echoed_basic_credentials",
            "test_output_redaction.py::test_status_and_report_never_print_the_echoed_csrf_token_or_cookie",
            "test_output_redaction.py::test_check_json_never_prints_a_password_reported_as_the_login",
            "test_output_redaction.py::test_the_dashboard_never_shows_the_echoed_basic_credentials",
        ),
    ),
    Case(
        14,
        "three `follow`s of one batch at once (the probe: 3 finished and 27 progress events recorded)",
        "under the history folder's lock, a file another recorder grew is read first and the events are"
        " made after its last one: each change recorded once",
        ("test_history_concurrent.py::test_three_follows_of_one_batch_record_each_change_once",),
    ),
    Case(
        15,
        "bare `https://evil.example/reset`, `www.…`, e-mail addresses in server text of a report",
        "the `:` and `//` of a scheme, a domain's dots and `@` are backslash-escaped: no link under"
        " markdown-it's gfm-like preset with linkify, the text still reads the same (the operator's own"
        " server URL in the header stays a link)",
        ("test_report_links.py::test_bare_urls_domains_and_e_mail_addresses_in_a_report_never_link",),
    ),
    Case(
        16,
        '`<a href=…>`, `<img src="file:///etc/shadow"/>` and `&` in the text of a failed batch\'s'
        " desktop notification",
        "the notify-send body is escaped for the notification server's markup; the title is plain text",
        ("test_notification_markup.py::test_a_failure_notification_escapes_server_markup",),
    ),
    Case(
        17,
        "CJK and emoji (with zero-width joiners) in step titles and messages (the probe: MESSAGE at"
        " display columns 70, 60 and 64)",
        "columns aligned by display width (wcwidth) in `status`, `check`, `history`; a joiner inside an"
        " emoji sequence is kept, a cut never splits a grapheme",
        ("test_display_width.py::test_status_columns_align_by_display_width_and_emoji_stay_whole",),
    ),
)

SECRETS_ECHOED = 13
CONCURRENT_RECORDERS = 14
BARE_LINKS = 15
NOTIFICATION_MARKUP = 16
DISPLAY_WIDTH = 17
"""Rows of the third probe, by what they are about (tests record their figures under these)."""

FIGURES: dict[int, list[str]] = {}
"""Figures measured in this session, by case number (several tests may add to one case)."""


def record(number: int, figure: str) -> None:
    """Keep a measured figure for case `number`; written into the doc with SLV_WRITE_RELIABILITY=1."""
    found = FIGURES.setdefault(number, [])
    if figure not in found:
        found.append(figure)
    if WRITE:
        update_hostile_figure(number, "; ".join(found))
