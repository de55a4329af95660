"""Start-up guards for the dashboard: what runs before its first frame, counted (not timed).

A probe process runs `slv-tui` as the console script does, with Textual's `App.run` replaced by a
stub (so no terminal is needed): everything the dashboard imports and builds before it runs is real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROBE = """
import gc, importlib.abc, importlib.machinery, inspect, json, sys

ran = []
during_import = []


class StubRun(importlib.abc.MetaPathFinder):
    # textual.app as imported, its App.run a stub that records the modules loaded by then
    def find_spec(self, name, path, target=None):
        if name != "textual.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            module.App.run = lambda app, *args, **kwargs: ran.append(sorted(sys.modules))

        spec.loader.exec_module = exec_module
        return spec


def importing():
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def watch(phase, info):
    if phase == "start" and not ran and importing():
        during_import.append(info["generation"])


import slv_tui  # the package's own init (logging) runs before any command: not counted

sys.meta_path.insert(0, StubRun())
gc.callbacks.append(watch)
from slv_tui.__main__ import main

sys.argv = ["slv-tui", "--url", "http://127.0.0.1:9", "--user", "admin", "1481019204417"]
code = main()
gc.callbacks.remove(watch)
print(json.dumps({"code": code, "collections": during_import, "modules": ran[0] if ran else None}))
"""


def start(tmp_path: Path) -> dict[str, Any]:
    """What the probe saw: the exit code, the collections during imports, the modules at App.run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE"))}
    env.update(
        SLV_PASSWORD="admin",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    assert seen["code"] == 0 and seen["modules"], seen["code"]  # it did reach App.run
    return seen


def test_the_dashboard_imports_without_garbage_collections(tmp_path: Path) -> None:
    """Catches: the collector running over the objects the dashboard's imports make (Textual, the
    screens, the widgets: 180 modules after the command line's, some 60 collections that free
    nothing, ~25 ms before the first frame): its imports are made with the collector paused."""
    collections = start(tmp_path)["collections"]
    assert collections == [], f"{len(collections)} collections while the dashboard imported"


LATER = {
    "slv_tui.ui.screens.commission_dialog",  # n and F
    "slv_tui.ui.widgets.commission_kind",
    "slv_tui.slv.commission",
    "slv_tui.store.device_csv",
    "slv_tui.ui.screens.add_batches",  # a
    "slv_tui.ui.screens.label",  # l
    "textual.widgets._text_area",  # the dialogs' device and ID lists
    "textual.document._document",
    "textual.widgets._checkbox",  # the commissioning parts
    "textual.widgets._radio_set",  # the commissioning kind
    "csv",
}
"""Modules the dashboard's start does without: the dialogs and what only they use (imported when a
key first opens one; `binding_ids` imports them to check a `[keymap]`)."""


def test_the_dashboard_starts_without_its_dialogs(tmp_path: Path) -> None:
    """Catches: the commissioning dialogs (Textual's TextArea with its document model and themes,
    Checkbox, RadioSet, the CSV reader: ~12 ms) imported before the first frame, as they were while
    they lived in the module of the dashboard's screen class."""
    modules = set(start(tmp_path)["modules"])
    assert "slv_tui.ui.screens.commission" in modules  # the dashboard's screen class (its `n` key)
    assert not modules & LATER, f"imported before the first frame: {sorted(modules & LATER)}"


KEYMAP_PROBE = """
from slv_tui.ui.keymap import binding_ids
print(" ".join(sorted(binding_ids())))
"""


def test_every_binding_id_is_known_to_a_fresh_process(tmp_path: Path) -> None:
    """Catches: a `[keymap]` entry for a dialog's key (add-submit, commission-next, label-save,
    feed_server) refused as unknown because the dialog's module was not imported yet (the IDs are
    read from the classes defined)."""
    done = subprocess.run([sys.executable, "-c", KEYMAP_PROBE], capture_output=True, text=True, timeout=60)
    ids = set(done.stdout.split())
    assert {
        "add-submit",
        "commission-next",
        "confirm-start",
        "label-save",
        "feed_server",
        "add",
        "quit",
    } <= ids
