"""`python -m slv_tui`: the same as the `slv-tui` command."""

import sys

from slv_tui.cli import main

sys.exit(main())
