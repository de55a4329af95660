"""Where what the dashboard hands out goes: copies, exports, reports and terminal alerts.

One interface, chosen by `make_app`: the terminal (and the local disk) today; a served screen
would deliver through `App.deliver_text` instead. The screen never writes to the terminal itself.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from textual.app import App, SuspendNotSupported
from textual.driver import Driver

from slv_tui.watch.snapshot import Snapshot


class Deliver(Protocol):
    """What the dashboard hands to the operator, and how."""

    async def copy(self, text: str) -> bool:
        """Put `text` on the clipboard; True when a system clipboard took it (else only sent)."""
        ...

    async def export(
        self, keys: Sequence[tuple[str, str]], lookup: Callable[[tuple[str, str]], Snapshot | None]
    ) -> Path:
        """Write these (server, batch ID) batches as JSON; returns where (raises OSError)."""
        ...

    async def report(self, batch_ids: Sequence[str], render: Callable[[], str]) -> Path:
        """Write the Markdown `render()` returns; returns where (raises OSError, ValueError)."""
        ...

    def alert(self, escape: str | None) -> None:
        """Show a terminal alert: write this escape sequence, or ring the bell when None."""
        ...

    async def page(self, text: str) -> str | None:
        """Show `text` in the operator's pager; None once shown, else why it could not be."""
        ...


class TerminalDelivery:
    """The terminal the app runs in, and the export folder on this machine (blocking work in threads)."""

    def __init__(self, app: App[Any], export_dir: Path | None = None) -> None:
        self.app = app
        self.export_dir = export_dir
        """`[ui] export_dir`; None: the user's downloads or documents folder."""

    async def copy(self, text: str) -> bool:
        from slv_tui.ui.clipboard import system_copy

        self.app.copy_to_clipboard(text)  # OSC 52: works in many terminals, but is never confirmed
        return await asyncio.to_thread(system_copy, text)

    async def export(
        self, keys: Sequence[tuple[str, str]], lookup: Callable[[tuple[str, str]], Snapshot | None]
    ) -> Path:
        from slv_tui.store.exports import export_batches

        return await asyncio.to_thread(export_batches, list(keys), lookup, self.export_dir)

    async def report(self, batch_ids: Sequence[str], render: Callable[[], str]) -> Path:
        from slv_tui.store.exports import export_dir
        from slv_tui.store.reports import report_name, write_report

        def write() -> Path:
            return write_report(export_dir(self.export_dir) / report_name(batch_ids), [render()])

        return await asyncio.to_thread(write)

    async def page(self, text: str) -> str | None:
        """`$PAGER` (else `less`) reads `text` on its stdin while the app is suspended (the
        terminal is the pager's); when there is no pager or the app cannot be suspended, says why."""
        from slv_tui.common.pager import pager_command, run_pager

        command = pager_command()
        if command is None:
            return "no pager: set $PAGER (m writes the report to a file)"
        try:
            with self.app.suspend():
                return await asyncio.to_thread(run_pager, command, text)
        except SuspendNotSupported:
            return "this terminal cannot hand the screen to a pager (m writes the report to a file)"

    def alert(self, escape: str | None) -> None:
        driver = _drivers.get(self.app)
        if escape is not None and driver is not None:
            driver.write(escape)  # through the driver, in order with the screen's own output
        else:
            self.app.bell()  # also when Textual chose its own driver (headless, inline)


_drivers: weakref.WeakKeyDictionary[App[Any], Driver] = weakref.WeakKeyDictionary()
"""The driver each app runs on, as announced by `announcing` (public API only: Textual has no public
"the app's driver", and writing beside the driver would interleave with its frames)."""


def announcing(base: type[Driver]) -> type[Driver]:
    """`base` (the driver Textual chose for this platform) that tells the delivery seam it drives an
    app, for `App.get_driver_class`. Headless and inline runs use Textual's own drivers: bell only."""

    class AnnouncingDriver(base):  # type: ignore[misc,valid-type]
        def __init__(self, app: App[Any], *args: Any, **kwargs: Any) -> None:
            super().__init__(app, *args, **kwargs)
            _drivers[app] = self

    AnnouncingDriver.__name__ = AnnouncingDriver.__qualname__ = f"Announcing{base.__name__}"
    return AnnouncingDriver
