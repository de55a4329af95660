"""`python -m slv_tui` and the `slv-tui` console script: the same as `slv_tui.cli.main`.

`slv-tui --version` is answered here, before the command line module (and httpx, asyncio and ssl
with it) is imported: it starts in about half the time of `python -c 'import httpx'`.
"""

from __future__ import annotations

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
    from slv_tui.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
