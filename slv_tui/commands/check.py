"""`slv-tui check`: can slv-tui read batches from this server? Reachability, TLS, login mode, user.

Exit 0 when batches can be read, 3 when they cannot (connection, TLS, login, protocol); usage and
configuration errors (exit 2) are found by the cli before this runs. Never prints a secret.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from slv_tui.commands.output import EXIT_FETCH, EXIT_OK, Output
from slv_tui.common.logs import redact
from slv_tui.common.sanitize import clean
from slv_tui.common.width import pad
from slv_tui.slv import errors
from slv_tui.slv.auth import MODE_LABELS, user_name
from slv_tui.slv.client import SlvClient
from slv_tui.slv.report import dumps

PROBE_BATCH = "0"
"""A batch id no server has: an SLV error object (605) for it still proves batches can be read."""


@dataclass
class Finding:
    """What the check found out, in the order it found it."""

    url: str
    profile: str
    requested: str
    reachable: bool = False
    rtt_ms: float | None = None
    tls: dict[str, Any] = field(default_factory=dict)
    mode: str | None = None
    note: str | None = None
    user: str | None = None
    readable: bool = False
    error: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The `check --json` object."""
        return {
            "url": self.url,
            "profile": self.profile,
            "ok": self.readable,
            "reachable": self.reachable,
            "rttMs": None if self.rtt_ms is None else round(self.rtt_ms, 1),
            "tls": self.tls,
            "auth": {
                "requested": self.requested,
                "mode": self.mode,
                "detected": self.requested == "auto" and self.mode not in (None, "bearer"),
                "note": self.note,
            },
            "user": self.user,
            "batchesReadable": self.readable,
            "error": self.error,
            "problems": [{"problem": p, "advice": a} for p, a in self.problems],
        }


def _tls_status(client: SlvClient) -> dict[str, Any]:
    settings = client.settings
    if urlsplit(settings.url).scheme.lower() != "https":
        return {"used": False, "verified": None, "detail": "not used (plain http)"}
    if not settings.verify:
        return {"used": True, "verified": False, "detail": "NOT verified (--insecure or verify = false)"}
    where = f"CA bundle {settings.ca_bundle}" if settings.ca_bundle else "the system's certificate store"
    return {"used": True, "verified": True, "detail": f"verified against {where}"}


def _advice(exc: errors.SlvError, finding: Finding, secret_name: str) -> str:
    """One line saying what to try about a failure."""
    if isinstance(exc, errors.TlsError):
        if "does not speak TLS" in exc.detail:
            return "this port speaks plain http: use an http:// URL (or the server's https port)"
        return "set the profile's ca_bundle to the CA that signed the server's certificate (or --insecure)"
    if isinstance(exc, errors.RequestTimeout):
        return "the server did not answer in time: check the network or raise --timeout"
    if isinstance(exc, errors.ConnectionFailed):
        return "check the URL (host and port) and that the server is running and reachable from here"
    if isinstance(exc, errors.AuthError):
        if "bearer" in exc.detail:
            return "set SLV_TOKEN (or 'slv-tui login --token', or a token_command) and use --auth bearer"
        if exc.probable and finding.mode == "basic":
            return "the server answered with a login page: try --auth form"
        source = "SLV_TOKEN" if secret_name == "token" else "SLV_PASSWORD"
        return (
            f"check the user name (--user) and the {secret_name} ({source}, 'slv-tui login',"
            f" or the profile's {secret_name}_command); or force a mode with --auth"
        )
    if isinstance(exc, errors.HttpStatusError) and exc.status_code == 404:
        return (
            "no SLV API at this URL: the URL must be the CMS web application, e.g. https://host:8443/reports"
        )
    return "the server answered, but not as an SLV CMS does: check the URL"


async def run_check(client: SlvClient, profile: str, output: Output, requested: str | None = None) -> int:
    """Check the server, print the findings (human lines or one JSON object); 0 readable, 3 not.

    `requested` is the mode the user asked for (default: the client's), e.g. `auto` when SLV_TOKEN
    made it bearer."""
    settings = client.settings
    creds = settings.credentials
    asked = requested or creds.mode
    finding = Finding(url=settings.url, profile=profile, requested=asked, tls=_tls_status(client))
    for warning in settings.warnings():
        finding.problems.append((warning, _warning_advice(warning)))
    try:
        started = time.perf_counter()
        await client.ping()
        finding.rtt_ms = (time.perf_counter() - started) * 1000
        finding.reachable = True
        user_problem: tuple[str, str] | None = None
        try:
            user = await client.current_user()
        except (errors.HttpStatusError, errors.ProtocolError) as exc:  # older servers lack the call
            user = None
            user_problem = (
                f"the server does not report the user ({exc})",
                "none needed if batches are readable",
            )
        finding.mode, finding.note = client.mode, client.mode_note
        finding.user = user_name(user)
        if client.mode_note:
            finding.problems.append((client.mode_note, "if batches cannot be read, force a mode with --auth"))
        if user_problem:
            finding.problems.append(user_problem)
        with contextlib.suppress(errors.ServerError):  # "605 Batch not found" proves the batch API answers
            await client.get_batch(PROBE_BATCH)
        finding.readable = True
    except errors.SlvError as exc:
        finding.mode, finding.note = client.mode, client.mode_note
        finding.error = redact(str(exc))
        if isinstance(exc, errors.TlsError):
            finding.tls = {**finding.tls, "verified": False, "detail": f"failed: {exc.detail}"}
            finding.reachable = False
        finding.problems.append((finding.error, _advice(exc, finding, creds.secret_name)))
    if output.json:
        output.write(dumps(finding.as_json(), indent=2) + "\n")
    else:
        output.write(_human(finding))
    return EXIT_OK if finding.readable else EXIT_FETCH


def _warning_advice(warning: str) -> str:
    if "verification is OFF" in warning:
        return "prefer ca_bundle in the profile over --insecure"
    return "use an https:// URL"


def _human(finding: Finding) -> str:
    """The findings as aligned lines, then one line of advice per problem."""
    rows = [("server", f"{finding.url} (profile {finding.profile})")]
    if finding.reachable:
        rows.append(("reachable", f"yes ({finding.rtt_ms or 0:.0f} ms)"))
    else:
        rows.append(("reachable", "no"))
    rows.append(("TLS", str(finding.tls.get("detail", ""))))
    if finding.mode is not None:
        how = "detected" if finding.requested == "auto" else "forced with --auth/profile"
        if finding.requested == "auto" and finding.mode == "bearer":
            how = "SLV_TOKEN is set"
        if finding.note:
            how = "assumed: could not be detected"
        rows.append(("login", f"{MODE_LABELS.get(finding.mode, finding.mode)} ({how})"))  # type: ignore[call-overload]
    else:
        rows.append(("login", "unknown" if finding.requested == "auto" else finding.requested))
    user = finding.user or "-"
    if redact(user) != user:  # the name is shown (it is no secret), and the risk said
        user += " (it holds the password; choose another password)"
    rows.append(("user", user))
    rows.append(("batches", "readable" if finding.readable else "NOT readable"))
    width = max(len(name) for name, _ in rows)
    lines = [f"{pad(name, width)}  {clean(value, max_length=300)}" for name, value in rows]
    for problem, advice in finding.problems:
        lines.append(f"problem: {clean(problem, max_length=300)}")
        lines.append(f"  advice: {advice}")
    verdict = (
        "ok: slv-tui can read batches from this server"
        if finding.readable
        else ("not ok: slv-tui cannot read batches from this server")
    )
    lines.append(verdict)
    return "\n".join(lines[: len(rows)] + [redact(line) for line in lines[len(rows) :]]) + "\n"
