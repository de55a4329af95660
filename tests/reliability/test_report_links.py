"""Server text in a report never becomes a link, an image or HTML under GitHub-flavoured Markdown
(markdown-it's gfm-like preset with linkify: bare URLs, `www.` and e-mail addresses are links there)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support.clock import FakeClock

from slv_tui.sim import ThreadedSim

from .conftest import run_cli
from .hostilecases import BARE_LINKS, record

LINKS = (
    "https://evil.example/reset",
    "www.evil.com/login",
    "helpdesk@evil.com",
    "evil.com/x",
    "ftp://files.evil.com",
    "mailto:a@evil.com",
    "//evil.example/p",
    "http://127.0.0.1:9/x",
)


def _markdown() -> object:
    markdown_it = pytest.importorskip("markdown_it")
    pytest.importorskip("linkify_it")
    return markdown_it.MarkdownIt("gfm-like")


def _report(home: Path, controller: str) -> tuple[subprocess.CompletedProcess[str], str]:
    clock = FakeClock()
    with ThreadedSim(scenario="static", clock=clock) as sim:
        batch = sim.server.start_batch("errors", params={"controller": controller})
        clock.now += 100  # finished, with errors naming the controller
        return run_cli(home, "report", "--url", sim.url, batch, SLV_PASSWORD="admin"), sim.url


def test_bare_urls_domains_and_e_mail_addresses_in_a_report_never_link(tmp_path: Path) -> None:
    md = _markdown()
    done, server = _report(tmp_path, " ".join(LINKS))
    assert done.returncode == 0, done.stderr
    html = md.render(done.stdout)  # type: ignore[attr-defined]
    shown = [link for link in LINKS if link in html]
    assert shown == list(LINKS), "each text still shows as itself"
    links = re.findall(r"<a [^>]*>", html)
    assert links == [f'<a href="{server}">'], html  # the operator's own server URL only
    assert "<img" not in html, html
    raw = md.render(" ".join(LINKS))  # type: ignore[attr-defined]
    before = raw.count("<a ")
    assert before >= 6  # what the same text makes unescaped: the test can tell a link
    figure = f"{len(LINKS)} link-like server texts: 0 links in the rendered report ({before} unescaped)"
    record(BARE_LINKS, figure)
