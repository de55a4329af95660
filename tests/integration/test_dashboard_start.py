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


def start(tmp_path: Path) -> dict[str, object]:
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
    seen: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    assert seen["code"] == 0 and seen["modules"], seen["code"]  # it did reach App.run
    return seen


def test_the_dashboard_imports_without_garbage_collections(tmp_path: Path) -> None:
    """Catches: the collector running over the objects the dashboard's imports make (Textual, the
    screens, the widgets: 180 modules after the command line's, some 60 collections that free
    nothing, ~25 ms before the first frame): its imports are made with the collector paused."""
    collections = start(tmp_path)["collections"]
    assert collections == [], f"{len(collections)} collections while the dashboard imported"  # type: ignore[arg-type]
