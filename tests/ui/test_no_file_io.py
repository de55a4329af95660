"""ui/ opens no file and makes no request: every file goes through store/, every request through slv/."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "slv_tui" / "ui"
FILE_CALLS = {
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir",
    "mkfifo", "makedirs", "fdopen", "iterdir", "glob", "rglob", "write_atomic", "read_regular", "private_dir",
    "loads", "load",
}  # fmt: skip
"""Calls that open, create or remove files (`Path.open`, `os.open`, `io.open` end in `open` too);
`os.replace` and friends are caught by the `os` import; `json.loads`: the UI parses no JSON."""
FORBIDDEN_MODULES = {"io", "shutil", "tempfile", "httpx", "aiohttp", "socket", "urllib", "os"}
"""Raw I/O, HTTP, building URLs: below the UI."""


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in FILE_CALLS:
                found.append(f"{path.name}:{node.lineno}: {name}()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{path.name}:{node.lineno}: import {m}" for m in modules
                      if m.split(".")[0] in FORBIDDEN_MODULES]  # fmt: skip
    return found


def test_the_ui_opens_no_file() -> None:
    sources = sorted(UI.rglob("*.py"))
    assert len(sources) > 10  # the folder is really there
    offences = [o for source in sources for o in _offences(source)]
    assert offences == []


def test_the_check_sees_file_calls(tmp_path: Path) -> None:
    """The check itself can fail: each kind of offence is found."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import json\nfrom pathlib import Path\nPath('x').write_text('y')\nopen('z')\nPath('d').mkdir()\n"
        "import os.path\nimport json\njson.loads('{}')\n",
        encoding="utf-8",
    )
    assert len(_offences(bad)) == 5
