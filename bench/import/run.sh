#!/usr/bin/env bash
# Import benchmark: N HTCDS rows (default 1,000,000) into a fresh SQLite database
# through `vigia import`, encryption of identifying fields and one audit entry per
# case included. Prints rows per second; the peer figure is the parse-only rate of
# the same file by the same importer (no database, no encryption), measured in the
# same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
WORK="${BENCH_DIR:-$(mktemp -d)}"
cargo build --release -q -p vigia --bin vigia
cargo build --release -q -p vigia-import --examples
BIN=target/release/vigia
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
echo "generating $N HTCDS rows..."
target/release/examples/gen_htcds "$N" "$WORK/htcds.csv" >/dev/null
ls -la "$WORK/htcds.csv"
echo "parse only (peer: the same reader without database or encryption):"
target/release/examples/bench_import "$WORK/htcds.csv"
$BIN migrate --db "sqlite://$WORK/bench.db" --key-file "$WORK/bench.key" >/dev/null
AGENCY=$($BIN agency add --db "sqlite://$WORK/bench.db" --key-file "$WORK/bench.key" --name "Bench NGO" --kind ngo --country BR)
echo "vigia import (parse, validate, encrypt, write, audit) into SQLite:"
START=$(date +%s.%N)
/usr/bin/time -v $BIN import --db "sqlite://$WORK/bench.db" --key-file "$WORK/bench.key" --agency "$AGENCY" --format htcds --quiet "$WORK/htcds.csv" 2> "$WORK/time.txt"
END=$(date +%s.%N)
grep -E "Maximum resident|Elapsed" "$WORK/time.txt"
python3 -c "import sys; n=$N; s=$END-$START; print(f'import: {n} rows in {s:.1f} s = {n/s:,.0f} rows/s')"
