"""`python -m slv_tui` and the `slv-tui` console script: the same as `slv_tui.cli.main`.

`slv-tui --version` is answered here, before the command line module (and httpx, asyncio and ssl
with it) is imported: it starts in about half the time of `python -c 'import httpx'`.

The cyclic garbage collector is paused while the command line module is imported: an import makes
only long-lived objects (modules, classes, functions), yet it ran some 40 collections over them
(about 6 % of `slv-tui status`). They are then frozen (never scanned again, not even by the
collection at interpreter exit) and collection resumes for what the command itself allocates.
"""

from __future__ import annotations

import gc
import sys


def main() -> int:
    """Entry point of the `slv-tui` console script."""
    argv = sys.argv[1:]
    if argv == ["--version"]:  # the same line as `slv_tui.cli` prints (a test holds them equal)
        from slv_tui import __version__
        from slv_tui.common import paths
        from slv_tui.common.sanitize import clean

        print(clean(f"slv-tui {__version__} (log file: {paths.log_file()})"))
        return 0
    gc.disable()
    try:
        from slv_tui.cli import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    try:
        return cli_main(argv)
    finally:
        gc.freeze()  # exiting: the last collection need not scan what is left


if __name__ == "__main__":
    sys.exit(main())
