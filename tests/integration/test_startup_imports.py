"""Start-up guards: what `status` and `--version` import, read with `python -X importtime`.

Counting modules, not milliseconds: a command that starts importing the UI, the poller, the
simulator or another package shows here at once, whatever the machine's load. When a new import is
really needed, add it to the allow-list below on purpose (and run `benchmarks/startup.py`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

STATUS_MODULES = {
    "slv_tui", "slv_tui.cli", "slv_tui.commands", "slv_tui.commands.output", "slv_tui.commands.render",
    "slv_tui.commands.status", "slv_tui.common", "slv_tui.common.logs", "slv_tui.common.paths",
    "slv_tui.common.sanitize", "slv_tui.settings", "slv_tui.settings.config",
    "slv_tui.settings.credentials", "slv_tui.settings.keystore", "slv_tui.slv", "slv_tui.slv.auth",
    "slv_tui.slv.batch_url", "slv_tui.slv.body", "slv_tui.slv.client", "slv_tui.slv.decode",
    "slv_tui.slv.errormap",
    "slv_tui.slv.errors", "slv_tui.slv.ids", "slv_tui.slv.model", "slv_tui.slv.modes",
    "slv_tui.slv.parse", "slv_tui.slv.vocabulary", "slv_tui.store", "slv_tui.store.files",
    "slv_tui.commands.targets",  # PROFILE:ID
    "slv_tui.common.lazy_re",  # patterns compiled at their first use
    "slv_tui.common.width",  # display-width columns
    "slv_tui.commands.arguments", "slv_tui.commands.connect",  # the argparse syntax, the connection
    # the client's login sessions, cookie jar and redaction, split out of client.py and logs.py
    "slv_tui.common.redaction", "slv_tui.slv.client_settings", "slv_tui.slv.jar", "slv_tui.slv.sessions",
    "slv_tui.slv.turn", "slv_tui.slv.start_call",
}  # fmt: skip
"""Every slv_tui module `status` imports: the table path only. follow, the history store, the
watch layer, commissioning and the JSON report writer are imported where they are used."""
STATUS_STDLIB_ABSENT = {
    "tomllib", "html", "html.entities",
    "importlib.metadata", "csv", "sqlite3", "decimal", "uuid", "zipfile", "gzip", "difflib", "pprint",
    "concurrent.futures.thread",
}  # fmt: skip
"""Standard modules `status` to a closed port has no use for: the TOML parser without a config
file, HTML unescaping (only for text that holds escapes), package metadata (a version lookup reads
every installed package's files), the device CSV reader (commission), a worker thread (only answers
over 512 KiB are decoded in one), and others a careless import would bring along. Nor is wcwidth
(not in STATUS_PACKAGES): a table of ASCII and the CLI's own symbols is measured without it
(`common.width`)."""
STATUS_PACKAGES = {
    "httpx", "httpcore", "h11", "anyio", "sniffio", "idna", "certifi", "platformdirs", "typing_extensions",
    # optional parts httpx and httpcore look for (each a failed import where not installed)
    "h2", "hpack", "hyperframe", "brotli", "brotlicffi", "zstandard", "socksio", "trio",
}  # fmt: skip
VERSION_MODULES = {
    "slv_tui",
    "slv_tui.__main__",
    "slv_tui.common",
    "slv_tui.common.paths",
    "slv_tui.common.sanitize",
    "slv_tui.common.redaction",  # clean() redacts every output line, the version line too
    "slv_tui.common.lazy_re",
}
VERSION_PACKAGES = {"platformdirs"}


def imported(tmp_path: Path, *args: str, stdlib: set[str] | None = None) -> tuple[set[str], set[str]]:
    """(slv_tui modules, other non-stdlib top-level packages) that `python -X importtime *args`
    imports beyond what the interpreter itself loads at start (site hooks, .pth files); the standard
    modules among them are added to `stdlib` when given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE"))}
    env.update(
        SLV_PASSWORD="admin",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )

    def names(*argv: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True, timeout=60
        )
        lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
        return {line.rsplit("|", 1)[1].strip() for line in lines} - {"imported package"}

    found = names(*args) - names("-c", "pass")
    ours = {n for n in found if n == "slv_tui" or n.startswith("slv_tui.")}
    others = {n.split(".")[0] for n in found} - {"slv_tui"} - set(sys.stdlib_module_names)
    if stdlib is not None:
        stdlib.update(n for n in found if n.split(".")[0] in sys.stdlib_module_names)
    return ours, others - {"__main__", "org"}  # org: the stdlib's `copy` looks for Jython


def test_status_imports_only_the_recorded_modules(tmp_path: Path) -> None:
    """Catches: status importing the UI (textual, rich), the poller, the simulator (aiohttp), the
    keyring, the watchlist store, or any new module, on its way to one request."""
    stdlib: set[str] = set()
    argv = ("-m", "slv_tui", "status", "--url", "http://127.0.0.1:9", "1")
    ours, others = imported(tmp_path, *argv, stdlib=stdlib)
    assert "slv_tui.commands.status" in ours  # it did run status
    assert ours - STATUS_MODULES == set(), "status imports new slv_tui modules"
    assert others - STATUS_PACKAGES == set(), "status imports new packages"
    assert stdlib & STATUS_STDLIB_ABSENT == set(), "status imports standard modules it does not use"


def test_version_imports_almost_nothing(tmp_path: Path) -> None:
    """Catches: `--version` loading the command line module, and with it httpx, asyncio and ssl (it
    took 1.7x `import httpx` on a plain install before it answered from the entry point)."""
    ours, others = imported(tmp_path, "-m", "slv_tui", "--version")
    assert ours <= VERSION_MODULES, ours - VERSION_MODULES
    assert others <= VERSION_PACKAGES, others - VERSION_PACKAGES


def test_the_quick_version_is_the_cli_version(tmp_path: Path) -> None:
    """The entry point's early answer prints exactly what `slv_tui.cli` prints for --version."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    quick = subprocess.run(
        [sys.executable, "-m", "slv_tui", "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    full = subprocess.run(
        [sys.executable, "-m", "slv_tui.cli", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert quick.returncode == full.returncode == 0
    assert quick.stdout == full.stdout and quick.stdout.startswith("slv-tui ")


GC_PROBE = """
import gc, sys
from slv_tui.__main__ import main
during_import = []
def watch(phase, info):
    cli = sys.modules.get("slv_tui.cli")
    if phase == "start" and getattr(cli, "main", None) is None:
        during_import.append(info["generation"])
gc.callbacks.append(watch)
sys.argv = ["slv-tui", "status", "--url", "http://127.0.0.1:9", "1"]
code = main()
gc.callbacks.remove(watch)
print(code, len(during_import), len(gc.get_objects()), file=sys.stderr)
"""


def test_status_starts_without_garbage_collections(tmp_path: Path) -> None:
    """Catches: the collector running over the objects the imports make (modules, classes: ~40
    collections, 6 % of `status`), and the exit's last collection scanning all of them (15 %): the
    entry point pauses collection while it imports the command line and freezes what is left at exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE"))}
    env.update(SLV_PASSWORD="admin", XDG_STATE_HOME=str(tmp_path / "state"))
    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    code, collections, tracked = (int(n) for n in done.stderr.split()[-3:])
    assert code == 3  # it did run status (to a closed port)
    assert collections == 0, f"{collections} collections while the command line was imported"
    assert tracked < 100, f"{tracked} objects left for the exit's collection to scan"
