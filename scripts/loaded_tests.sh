#!/usr/bin/env bash
# The README's test command (the fast tiers) with two CPU-burning processes beside it, as on a busy
# 2-core CI runner or a slow laptop: the tests wait on conditions, never on time, so they must pass.
#
#   scripts/loaded_tests.sh            one run
#   scripts/loaded_tests.sh 3          three runs in a row (stops at the first failure)
#   scripts/loaded_tests.sh 1 tests/integration/test_cli.py -n 0   pytest arguments after the count
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
runs="${1:-1}"
[ $# -gt 0 ] && shift

burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_burners EXIT
trap 'exit 130' INT TERM  # a stopped run also goes through the EXIT trap: no busy loop left behind
for _ in 1 2; do
  "$python" -c 'while True: pass' &
  burners+=("$!")
done

for run in $(seq 1 "$runs"); do
  echo "== run $run of $runs, beside ${#burners[@]} busy loops (pids ${burners[*]}) =="
  "$python" -m pytest -q -p no:cacheprovider "$@"
done
echo "== $runs run(s) passed under load =="
