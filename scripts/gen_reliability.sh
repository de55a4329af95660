#!/usr/bin/env bash
# Regenerate docs/RELIABILITY.md from real runs (fault table, then the soak figures).
set -euo pipefail
cd "$(dirname "$0")/.."
SLV_WRITE_RELIABILITY=1 python -m pytest -q -p no:cacheprovider \
  tests/reliability/test_faults.py tests/reliability/test_zz_reliability_doc.py tests/reliability/test_soak.py tests/reliability/test_soak_dashboard.py -s \
  | grep -E "SOAK|passed|failed"
