"""Private Textual API: none in the product but one contained override, tied to a Textual version.

ruff's SLF001 catches `other._name`; a subclass reading or overwriting its Textual base's private
names through `self._name` is caught here, from the sources of the classes in each one's MRO.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
from pathlib import Path

import textual
from rich.text import Text
from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.widgets import DataTable

import slv_tui.ui
from slv_tui.ui.widgets.kept_cells import TESTED_TEXTUAL, KeptCellsTable

ALLOWED = {
    ("KeptCellsTable", "_render_cell"),
    ("KeptCellsTable", "_cell_render_cache"),
    ("KeptCellsTable", "_line_cache"),
    ("KeptCellsTable", "_row_render_cache"),
}
"""The one documented exception (see kept_cells.py and benchmarks/RESULTS.md)."""


@functools.cache
def _self_privates(cls: type) -> frozenset[str]:
    """Private names a class body reads, writes or defines on `self` (its own source only).
    Cached: the same Textual bases (Widget, DOMNode, ...) sit in every product class's MRO."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            names.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return frozenset(n for n in names if n.startswith("_") and not n.startswith("__"))


def _product_classes() -> list[type]:
    root = Path(slv_tui.ui.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        name = ".".join(("slv_tui", "ui", *path.relative_to(root).with_suffix("").parts))
        module = importlib.import_module(name.removesuffix(".__init__"))
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, DOMNode):
                found.append(cls)
    return found


def test_textual_is_the_version_the_override_was_tested_with() -> None:
    minor = ".".join(textual.__version__.split(".")[:2])
    assert minor == TESTED_TEXTUAL, (
        f"Textual {textual.__version__} is installed, KeptCellsTable overrides DataTable._render_cell "
        f"as of {TESTED_TEXTUAL}: check it against the new DataTable, rerun benchmarks/kept_cells.py, "
        "then move TESTED_TEXTUAL and the pin in pyproject.toml"
    )
    params = list(inspect.signature(DataTable._render_cell).parameters)
    assert params == ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"]


def test_no_subclass_touches_its_textual_bases_private_names() -> None:
    classes = _product_classes()
    assert len(classes) > 10  # the walk found the widgets and screens
    problems = []
    for cls in classes:
        textual_bases = [b for b in cls.__mro__ if b.__module__.startswith("textual.")]
        theirs = set().union(
            *(_self_privates(b) | {n for n in vars(b) if n.startswith("_")} for b in textual_bases)
        )
        for name in sorted(_self_privates(cls) & theirs):
            if (cls.__name__, name) not in ALLOWED:
                problems.append(f"{cls.__module__}.{cls.__name__}: self.{name}")
    assert not problems, "private Textual names used or shadowed:\n" + "\n".join(problems)


def test_the_exception_stays_in_one_module() -> None:
    root = Path(slv_tui.ui.__file__).parent
    users = [p.name for p in root.rglob("*.py") if "def _render_cell" in p.read_text(encoding="utf-8")]
    assert users == ["kept_cells.py"]
    product = Path(slv_tui.ui.__file__).parent.parent
    private_imports = [
        f"{path.name}: {line.strip()}"
        for path in product.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(("from textual._", "import textual._"))
    ]
    assert not private_imports


class _Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield KeptCellsTable(id="kept")
        yield DataTable[Text](id="plain")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.styles.height = 8
            for c in range(4):
                table.add_column(f"c{c}", key=f"c{c}", width=8)
            for r in range(6):
                table.add_row(*(Text(f"{r}.{c}", style="bold" if c else "") for c in range(4)), key=f"r{r}")


def _lines(table: DataTable[Text]) -> list[str]:
    return [strip.text + repr(list(strip)) for strip in table.render_lines(table.region.reset_offset)]


async def test_kept_renderings_match_datatables_own() -> None:
    """Updates, cursor moves and focus changes draw exactly what DataTable draws."""
    app = _Tables()
    async with app.run_test(size=(60, 20)) as pilot:
        kept, plain = app.query_one("#kept", DataTable), app.query_one("#plain", DataTable)

        async def both_ways() -> None:
            drawn: dict[tuple[str, bool], list[str]] = {}
            for focused in (kept, plain, kept):
                focused.focus()
                await pilot.pause()
                assert focused.has_focus
                for table in (kept, plain):
                    drawn[table.id or "", table is focused] = _lines(table)
            assert drawn["kept", True] == drawn["plain", True]
            assert drawn["kept", False] == drawn["plain", False]
            assert drawn["kept", True] != drawn["kept", False]  # the look follows the focus

        await both_ways()
        for step in range(4):
            for table in (kept, plain):
                table.update_cell("r2", "c1", Text(f"new {step}", style="italic"))
                table.update_cell("r4", "c3", Text(f"{step}"))
                table.move_cursor(row=step)
            await both_ways()


def test_datatables_own_caches_stay_small() -> None:
    """Each cell rendered after a change adds an entry to DataTable's cell cache (keyed by the
    update count, never read again: the renderings are kept by position): 10,000 of them filled a
    console's memory for half an hour; its line and row caches (1,000 each, same keys) for longer on
    a calm console. Catches: the caches left at DataTable's sizes."""
    table = KeptCellsTable()
    assert table._cell_render_cache.maxsize <= 64, table._cell_render_cache.maxsize
    for n in range(200):
        table._cell_render_cache[("cell", n)] = []  # type: ignore[arg-type]
    assert len(table._cell_render_cache) <= 64
    for cache in (table._line_cache, table._row_render_cache):  # the same, per line and per row
        assert cache.maxsize <= 256, cache.maxsize
