#!/usr/bin/env bash
# Speed benchmark of vigia-mse: model search plus 1,000 bootstrap replicates (each
# repeating the model search), jackknife acceleration and profile interval, on the
# UK 2013 six-list data. Prints the machine description and the timings.
#
#   bash bench/mse/run.sh [RUNS] [BOOTSTRAP]
#
# Data: $VIGIA_SHARED_DATA/mse (default: ../shared/data beside the repository).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-5}"
BOOT="${2:-1000}"
DATA="${VIGIA_SHARED_DATA:-$(pwd)/../shared/data}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-mse}"

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep -E "^Model name" || true
free -h | awk '/^Mem:/ {print "RAM: " $2}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rustc: $(rustc --version)"

cargo build --release -q -p vigia-mse --example bench --example datasets

echo "== UK six lists (default: BIC, stepwise, BCa bootstrap)"
/usr/bin/time -f "process: %e s wall, %U s user, %S s system" \
  "$CARGO_TARGET_DIR/release/examples/bench" "$DATA/mse/uk_2013_6lists.csv" "$RUNS" "$BOOT"

echo "== UK six lists, one thread"
RAYON_NUM_THREADS=1 "$CARGO_TARGET_DIR/release/examples/bench" "$DATA/mse/uk_2013_6lists.csv" "$RUNS" "$BOOT"

echo "== New Orleans eight lists (the slowest published data set)"
"$CARGO_TARGET_DIR/release/examples/bench" "$DATA/mse/new_orleans_8lists.csv" 3 "$BOOT"
