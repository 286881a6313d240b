#!/usr/bin/env bash
# Import benchmark: N HTCDS rows (default 1,000,000) into a fresh SQLite database
# through `vigia import`, encryption of identifying fields and one audit entry per
# case included. Prints rows per second for each of RUNS imports (default 3, each
# into a new database) and their median; the peer figure is the parse-only rate
# of the same file by the same importer (no database, no encryption), measured in
# the same run, as often.
#
#   bash bench/import/run.sh [N]        RUNS=5 bash bench/import/run.sh
#   PEER_BIN=/path/to/older/vigia bash bench/import/run.sh   # an older build, alternated with this one
#   HOLD_OPEN=1 bash bench/import/run.sh   # a second connection holds the database open (as a running
#                                          # server would): the import keeps to the WAL
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
RUNS="${RUNS:-3}"
WORK="${BENCH_DIR:-$(mktemp -d)}"
cargo build --release -q -p vigia --bin vigia
cargo build --release -q -p vigia-import --examples
BIN=target/release/vigia
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generating $N HTCDS rows..."
target/release/examples/gen_htcds "$N" "$WORK/htcds.csv" >/dev/null
ls -la "$WORK/htcds.csv"

# One import into a new database; prints seconds.
import_once() {
  local bin="$1" db="$WORK/bench.db"
  rm -f "$db" "$db-wal" "$db-shm" "$db-journal" "$WORK/bench.key"
  "$bin" migrate --db "sqlite://$db" --key-file "$WORK/bench.key" >/dev/null 2>&1
  local agency
  agency=$("$bin" agency add --db "sqlite://$db" --key-file "$WORK/bench.key" --name "Bench NGO" --kind ngo --country BR)
  local holder=""
  if [ -n "${HOLD_OPEN:-}" ]; then
    python3 -c "import sqlite3,time; c=sqlite3.connect('$db'); c.execute('SELECT 1 FROM agencies').fetchall(); time.sleep(3600)" &
    holder=$!
    sleep 1
  fi
  sync
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/mem.txt" "$bin" import --db "sqlite://$db" --key-file "$WORK/bench.key" --agency "$agency" --format htcds --quiet "$WORK/htcds.csv" >/dev/null 2>&1
  end=$(date +%s.%N)
  if [ -n "$holder" ]; then kill "$holder"; fi
  python3 -c "print(f'{$end - $start:.2f}')"
}

rate() { python3 -c "import statistics,sys; n=$N; t=[float(x) for x in sys.argv[1:]]; m=statistics.median(t); print(f'median {m:.1f} s = {n/m:,.0f} rows/s (runs: ' + ', '.join(f'{n/x:,.0f}' for x in t) + ')')" "$@"; }

PARSE=() IMPORT=() PEER=()
for r in $(seq 1 "$RUNS"); do
  p=$(target/release/examples/bench_import "$WORK/htcds.csv" | sed -n 's/.* rows in \([0-9.]*\) s:.*/\1/p')
  PARSE+=("$p")
  i=$(import_once "$BIN")
  IMPORT+=("$i")
  line="run $r: parse only ${p} s, vigia import ${i} s (peak $(($(cat "$WORK/mem.txt") / 1024)) MB)"
  if [ -n "${PEER_BIN:-}" ]; then
    o=$(import_once "$PEER_BIN")
    PEER+=("$o")
    line="$line, peer build ${o} s"
  fi
  echo "$line"
done
echo "parse and validate only (peer: same reader, no database, no encryption): $(rate "${PARSE[@]}")"
echo "vigia import (parse, validate, encrypt, write, audit) into SQLite:        $(rate "${IMPORT[@]}")"
if [ -n "${PEER_BIN:-}" ]; then
  echo "peer build $PEER_BIN:                                                    $(rate "${PEER[@]}")"
fi
