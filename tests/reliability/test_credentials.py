"""Credentials: the password never leaks; risky settings warn; TLS is verified."""

from __future__ import annotations

import base64
import logging
import ssl
import traceback
from pathlib import Path

import pytest
from support.tls import self_signed as make_self_signed

from slv_tui.common.logs import register_secret, setup_logging
from slv_tui.sim import ThreadedSim
from slv_tui.slv import errors
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient

from .conftest import run_cli
from .hostile import HostileServer, Reply, batch_body

SECRET = "Tr0ub4dor&3-never-show-me"


def test_redaction_filter_on_the_real_rotating_logger(tmp_path: Path, restore_logging: None) -> None:
    log_file = setup_logging(tmp_path / "state" / "slv-tui.log", "debug")
    assert log_file is not None
    register_secret(SECRET)
    log = logging.getLogger("slv_tui.test")
    log.info("plain %s", SECRET)
    log.info("in the message " + SECRET)
    log.warning("form body j_password=%s&j_username=admin", "other-pass-123")
    log.warning("header Authorization: Basic YWRtaW46c2VjcmV0")
    log.info('json {"password": "zzz-pass-zzz"}')
    try:
        raise RuntimeError(f"boom {SECRET}")
    except RuntimeError:
        log.exception("failed")
    for handler in logging.getLogger("slv_tui").handlers:
        handler.flush()
    text = log_file.read_text()
    for leaked in (SECRET, "other-pass-123", "YWRtaW46c2VjcmV0", "zzz-pass-zzz"):
        assert leaked not in text
    assert text.count("********") >= 6 and "Traceback" in text


@pytest.fixture
def secure_sim() -> ThreadedSim:
    return ThreadedSim(scenario="static", password=SECRET)


def _assert_no_leak(home: Path, *texts: str) -> None:
    logs = "".join(p.read_text(errors="replace") for p in home.rglob("*.log*"))
    for text in (*texts, logs):
        assert SECRET not in text
        assert "Tr0ub4dor" not in text


@pytest.mark.parametrize("mode", ["basic", "form"])
def test_wrong_password_never_printed_or_logged(tmp_path: Path, mode: str) -> None:
    with ThreadedSim(scenario="static", auth=mode, password="the-right-one") as sim:
        done = run_cli(
            tmp_path, "status", "--json", "--debug", "--auth", mode, "--url", sim.url, "1481016600181",
            SLV_PASSWORD=SECRET,
        )  # fmt: skip
    assert done.returncode == 3
    assert "authentication failed" in done.stdout
    _assert_no_leak(tmp_path, done.stdout, done.stderr)
    assert list(tmp_path.rglob("slv-tui.log")), "the run logged to the state dir"


@pytest.mark.parametrize("right", [True, False])
def test_password_command_never_printed_or_logged(tmp_path: Path, right: bool) -> None:
    with ThreadedSim(scenario="static", password=SECRET if right else "nope") as sim:
        config = tmp_path / "config.toml"
        config.write_text(f'[servers.default]\nurl = "{sim.url}"\npassword_command = "printf {SECRET}"\n')
        done = run_cli(tmp_path, "status", "--json", "--debug", "--config", str(config), "1481016600181")
    assert done.returncode == (0 if right else 3), done.stderr
    _assert_no_leak(tmp_path, done.stdout, done.stderr)


async def test_password_absent_from_error_messages_reprs_and_tracebacks() -> None:
    with ThreadedSim(scenario="static", auth="form", password="the-right-one") as sim:
        settings = ClientSettings(url=sim.url, credentials=Credentials("admin", Secret(SECRET), "form"))
        async with SlvClient(settings) as client:
            with pytest.raises(errors.AuthError) as caught:
                await client.get_batch("1481016600181")
    rendered = "".join(traceback.format_exception(caught.value))
    for text in (str(caught.value), repr(caught.value), rendered, repr(settings), str(settings.credentials)):
        assert SECRET not in text


def test_insecure_warns_on_stderr(tmp_path: Path, threaded_sim: ThreadedSim) -> None:
    done = run_cli(
        tmp_path, "status", "--insecure", "--url", threaded_sim.url, "1481016600181", SLV_PASSWORD="admin"
    )
    assert done.returncode == 0
    assert "warning: TLS certificate verification is OFF (--insecure or verify = false)" in done.stderr


@pytest.mark.parametrize(
    ("url", "mode", "warns"),
    [
        ("http://cms.example.org/reports", "basic", True),
        ("http://10.1.2.3:8080/reports", "basic", True),
        ("http://cms.example.org/reports", "form", True),
        ("https://cms.example.org/reports", "basic", False),
        ("http://127.0.0.1:8080/reports", "basic", False),
        ("http://127.8.9.10/reports", "basic", False),
        ("http://[::1]:8080/reports", "basic", False),
        ("http://localhost/reports", "basic", False),
    ],
)
def test_plain_http_password_warning(url: str, mode: str, warns: bool) -> None:
    settings = ClientSettings(url=url, credentials=Credentials("admin", Secret("x"), mode))  # type: ignore[arg-type]
    found = [w for w in settings.warnings() if "plain http" in w]
    assert bool(found) is warns


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(self_signed: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, self_signed))
    with HostileServer(Reply(body=batch_body()), tls=context) as server:
        yield server


async def _fetch(url: str, **kwargs: object) -> object:
    settings = ClientSettings(url=url, credentials=Credentials("admin", Secret("admin")), **kwargs)  # type: ignore[arg-type]
    async with SlvClient(settings) as client:
        return await client.get_batch("1481016600181")


async def test_tls_verified_by_default(tls_server: HostileServer) -> None:
    with pytest.raises(errors.TlsError, match="certificate verification failed"):
        await _fetch(tls_server.url)


async def test_tls_insecure_and_ca_bundle(tls_server: HostileServer, self_signed: tuple[Path, Path]) -> None:
    assert await _fetch(tls_server.url, verify=False)
    assert await _fetch(tls_server.url, ca_bundle=str(self_signed[0]))


def test_tls_failure_from_the_cli_exits_3(tmp_path: Path, tls_server: HostileServer) -> None:
    done = run_cli(tmp_path, "status", "--json", "--url", tls_server.url, "1481016600181", SLV_PASSWORD="x")
    assert done.returncode == 3 and "TLS error" in done.stdout
    done = run_cli(
        tmp_path, "status", "--insecure", "--url", tls_server.url, "1481016600181", SLV_PASSWORD="x"
    )
    assert done.returncode == 0 and "verification is OFF" in done.stderr


def test_https_to_a_plain_http_port_says_so(tmp_path: Path, threaded_sim: ThreadedSim) -> None:
    url = threaded_sim.url.replace("http://", "https://")
    done = run_cli(tmp_path, "status", "--url", url, "--user", "admin", "1481016600181", SLV_PASSWORD="admin")
    assert done.returncode == 3
    assert "does not speak TLS on this port (http:// instead of https://?)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_server_echoing_the_request_never_puts_the_password_in_the_debug_log(tmp_path: Path) -> None:
    """--debug logs bodies; a proxy that echoes the Authorization header must not leak it there."""
    with HostileServer(Reply(body=batch_body())) as server:
        server.echo = True
        done = run_cli(
            tmp_path, "status", "--debug", "--url", server.url, "--user", "operator", "1481016600181",
            SLV_PASSWORD=SECRET,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    log = "".join(p.read_text() for p in tmp_path.rglob("slv-tui.log*"))
    assert "body of batchId" in log and "Basic" in log  # the echo was logged ...
    encoded = base64.b64encode(f"operator:{SECRET}".encode()).decode()
    assert SECRET not in log and encoded not in log and encoded[12:40] not in log  # ... without the password
