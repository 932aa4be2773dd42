#!/usr/bin/env bash
# Resident memory of `watchroomd run` with the demo site after one minute of polling
# (the simulator serves the demo site on its configured loopback ports).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/watchroomd}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-60}
dir=$(mktemp -d)
trap 'kill $sim $run 2>/dev/null || true; rm -rf "$dir"' EXIT
$BIN simulate --config devices/sites/demo.yaml --control "$dir/sim.sock" >"$dir/sim.log" 2>&1 & sim=$!
sleep 1
$BIN run --config devices/sites/demo.yaml >"$dir/run.log" 2>&1 & run=$!
sleep "$SECONDS_TO_RUN"
rss=$(awk '/VmRSS/ {print $2}' /proc/$run/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$run/status)
echo "watchroomd run, demo site, after ${SECONDS_TO_RUN}s: VmRSS ${rss} kB, VmHWM ${hwm} kB"
