#!/bin/sh
# Before/after of one report page, interleaved on the same database: ROUNDS rounds of (main's code, this
# checkout's code), each a fresh process timing REPEAT warm requests (bench/snapshot_probe.py).
#   DATABASE_URL=… sh bench/snapshot_ab.sh /work/main [path] > results.jsonl
BEFORE=${1:?the checkout to compare with}; PAGE=${2:-/reports/?on=2015-12-31}
HERE=$(cd "$(dirname "$0")/.." && pwd)
for round in $(seq "${ROUNDS:-5}"); do
  for code in "$BEFORE" "$HERE"; do
    DJANGO_SETTINGS_MODULE=bench.settings "$HERE/.venv/bin/python" "$HERE/bench/snapshot_probe.py" \
      --code "$code" --path "$PAGE" --repeat "${REPEAT:-10}" 2>/dev/null
  done
done
