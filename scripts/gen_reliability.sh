#!/usr/bin/env bash
# Regenerate docs/RELIABILITY.md from real runs (fault table, hostile-answer figures, then the soak figures).
set -euo pipefail
cd "$(dirname "$0")/.."
SLV_WRITE_RELIABILITY=1 python -m pytest -q -p no:cacheprovider \
  tests/reliability/test_faults.py tests/reliability/test_hostile_memory.py tests/reliability/test_deadlines.py \
  tests/reliability/test_hostile_local.py tests/reliability/test_terminal_safety_ui.py tests/reliability/test_logging.py \
  tests/reliability/test_output_redaction.py tests/reliability/test_history_concurrent.py \
  tests/reliability/test_report_links.py tests/reliability/test_notification_markup.py tests/reliability/test_display_width.py \
  tests/reliability/test_zz_reliability_doc.py tests/reliability/test_soak.py tests/reliability/test_soak_dashboard.py -s \
  | grep -E "SOAK|passed|failed"
