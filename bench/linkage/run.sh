#!/usr/bin/env bash
# Vigia record linkage vs Splink, on this machine, in one run.
#
#   bash bench/linkage/run.sh            # FEBRL4 (Vigia clear + encoded, Splink) and the scale run
#   SCALE=100000 bash bench/linkage/run.sh   # smaller scale run
#   SKIP_SCALE=1 bash bench/linkage/run.sh   # FEBRL only
#
# Needs: cargo, python3 (venv), /usr/bin/time. Splink is installed into
# bench/linkage/.venv (gitignored). Results go to bench/linkage/out/ (gitignored);
# RESULTS.md is written from them by hand.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=${VIGIA_SHARED_DATA:-$ROOT/../shared/data}
[ -d "$DATA/linkage" ] && DATA=$DATA/linkage
OUT=$HERE/out
mkdir -p "$OUT"
SCALE=${SCALE:-1000000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

# 1. Peer: Splink in a venv.
if [ ! -x "$HERE/.venv/bin/python" ]; then
  python3 -m venv "$HERE/.venv"
fi
"$HERE/.venv/bin/python" -c "import splink" 2>/dev/null || "$HERE/.venv/bin/pip" install -q "splink==5.0.0"

# 2. Vigia: release build of the linkage crate's bench driver.
if [ -z "${LINKAGE_BIN:-}" ]; then
  (cd "$ROOT" && nice -n 10 cargo build --release -p vigia-linkage --features cli --example linkage-bench)
  LINKAGE_BIN=$CARGO_TARGET_DIR/release/examples/linkage-bench
fi

{
  echo "## machine"
  echo "nproc: $(nproc)"
  lscpu | grep -E "Model name" | sed 's/  */ /g'
  echo "RAM: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$OUT/machine.txt"

timed() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" > "$OUT/$name.json" 2> "$OUT/$name.time"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$OUT/$name.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident" "$OUT/$name.time" | awk '{print $NF}')
  echo "$name | wall $wall | peak RSS ${rss} KB | $(tail -1 "$OUT/$name.json")" | tee -a "$OUT/summary.txt"
}

: > "$OUT/summary.txt"
head -c 32 /dev/urandom > "$OUT/bench.key"
A=$DATA/febrl4a.csv; B=$DATA/febrl4b.csv; T=$DATA/febrl4_true_pairs.csv
for cfg in febrl_all febrl_nossid; do
  timed "vigia_clear_$cfg" nice -n 10 "$LINKAGE_BIN" clear "$HERE/$cfg.toml" "$A" "$B" --truth "$T"
  timed "vigia_pprl_$cfg" nice -n 10 "$LINKAGE_BIN" pprl "$HERE/$cfg.toml" "$A" "$B" --truth "$T" --key "$OUT/bench.key"
done
timed splink_all nice -n 10 "$HERE/.venv/bin/python" "$HERE/splink_febrl4.py" "$DATA"
timed splink_nossid nice -n 10 "$HERE/.venv/bin/python" "$HERE/splink_febrl4.py" "$DATA" --no-ssid
timed vigia_clear_febrl3_dedup nice -n 10 "$LINKAGE_BIN" clear "$HERE/febrl_all.toml" "$DATA/febrl3.csv" --truth "$DATA/febrl3_true_pairs.csv"

if [ -z "${SKIP_SCALE:-}" ]; then
  S=$OUT/synth_$SCALE
  [ -f "$S/a.csv" ] || "$LINKAGE_BIN" synth "$SCALE" "$S" 7
  timed "vigia_scale_$SCALE" nice -n 10 "$LINKAGE_BIN" clear "$S/link.toml" "$S/a.csv" "$S/b.csv" --truth "$S/true_pairs.csv"
fi
echo "results in $OUT/summary.txt"
