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
        " (17 MB) is printed (streamed JSON) within 7x its size",
        (
            "test_hostile_memory.py::test_millions_of_empty_messages_are_refused_cheaply",
            "test_hostile_memory.py::test_a_huge_real_batch_is_printed_within_7x_its_size",
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
        "a wrong password, or one changed on the server under a running dashboard: `status` of 16 IDs"
        " in auto, csrf, form and basic mode; the poller watching 16 batches",
        "one refused login stops every request asked for before it (each fails unsent, with the same"
        " line; forced basic: at most one per connection in flight); the poller tries again only when"
        " its backoff allows, or at once with a new password",
        (
            "test_sessions.py::test_a_wrong_password_is_tried_once_per_run",
            "test_sessions.py::test_forced_basic_sends_a_wrong_password_at_most_once_per_connection",
            "test_sessions.py::test_the_poller_tries_a_refused_password_again_only_when_its_backoff_allows",
        ),
    ),
    Case(
        14,
        "30 IDs at concurrency 16 against a CSRF server whose sessions end every 7 calls",
        "the token and session generation are read when a request goes out (inside the concurrency"
        " gate), logins never queue behind requests; a request refused by a session that had served"
        " calls is sent again on a newer one (at most 5 times); one refused from its start is an error",
        ("test_sessions.py::test_requests_queued_behind_the_gate_read_the_session_when_they_go_out",),
    ),
    Case(
        15,
        "a new CSRF token in every answer (the old one dies at once)",
        "the token of every good answer replaces the current one; once the server rotates tokens, the"
        " session's calls go one at a time",
        ("test_sessions.py::test_a_new_token_on_every_call",),
    ),
    Case(
        16,
        "the server switches its login mode under a running dashboard (basic, then csrf on the same"
        " port, maybe with a new password)",
        "`--auth auto`: after 2 refusals in a row the login mode is probed again, once; the right"
        " password typed with `P` probes it again too and the dashboard recovers",
        (
            "test_sessions.py::test_a_server_that_changes_its_login_mode_is_probed_again_once",
            "test_sessions.py::test_a_wrong_password_on_the_new_mode_is_probed_once_then_a_new_password_recovers",
            "tests/ui/test_auth_switch.py::test_basic_then_csrf_on_the_same_port_recovers_with_the_right_password",
        ),
    ),
    Case(
        17,
        "cookies with new names on every answer (20,000 in a run); short cookie values `a=1`, `b=GET`,"
        " `c=batch`",
        "the jar keeps at most 50 cookies, 8 KiB in all (oldest dropped); cookie names and values of 8+"
        " characters are kept in bounded tables (256 each) and redacted by name or value in one pass"
        " over the line; short values only by name; passwords and tokens in one alternation compiled"
        " only when they change",
        (
            "test_session_values.py::test_rotating_cookies_keep_the_jar_bounded_and_the_log_readable",
            "test_session_values.py::test_a_long_cookie_value_is_redacted_wherever_it_shows_and_a_short_one_nowhere",
        ),
    ),
    Case(
        18,
        "a non-ASCII CSRF token (latin-1 or UTF-8 bytes); `SLV_TOKEN=t\u00f6ken`",
        "one line, exit 3 (`authentication failed: the server sent a CSRF token with characters an HTTP"
        " header cannot carry (not ASCII)`; for the token: `… the token holds characters an HTTP header"
        " cannot carry …`), the token itself never shown",
        (
            "test_session_values.py::test_a_non_ascii_csrf_token_is_one_clear_line",
            "test_session_values.py::test_a_non_ascii_bearer_token_is_one_clear_line",
        ),
    ),
    Case(
        19,
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
        20,
        "three `follow`s of one batch at once (the probe: 3 finished and 27 progress events recorded)",
        "under the history folder's lock, a file another recorder grew is read first and the events are"
        " made after its last one: each change recorded once",
        ("test_history_concurrent.py::test_three_follows_of_one_batch_record_each_change_once",),
    ),
    Case(
        21,
        "bare `https://evil.example/reset`, `www.…`, e-mail addresses in server text of a report",
        "the `:` and `//` of a scheme, a domain's dots and `@` are backslash-escaped: no link under"
        " markdown-it's gfm-like preset with linkify, the text still reads the same (the operator's own"
        " server URL in the header stays a link)",
        ("test_report_links.py::test_bare_urls_domains_and_e_mail_addresses_in_a_report_never_link",),
    ),
    Case(
        22,
        '`<a href=…>`, `<img src="file:///etc/shadow"/>` and `&` in the text of a failed batch\'s'
        " desktop notification",
        "the notify-send body is escaped for the notification server's markup; the title is plain text",
        ("test_notification_markup.py::test_a_failure_notification_escapes_server_markup",),
    ),
    Case(
        23,
        "CJK and emoji (with zero-width joiners) in step titles and messages (the probe: MESSAGE at"
        " display columns 70, 60 and 64)",
        "columns aligned by display width (wcwidth) in `status`, `check`, `history`; a joiner inside an"
        " emoji sequence is kept, a cut never splits a grapheme",
        ("test_display_width.py::test_status_columns_align_by_display_width_and_emoji_stay_whole",),
    ),
)

SECRETS_ECHOED = 19
CONCURRENT_RECORDERS = 20
BARE_LINKS = 21
NOTIFICATION_MARKUP = 22
DISPLAY_WIDTH = 23
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
