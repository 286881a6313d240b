#!/usr/bin/env bash
# Run every test of Vigia: unit, property, storage conformance on SQLite and
# PostgreSQL, integration tests of the real binary and router, browser tests.
# Starts the local PostgreSQL if it is down and installs what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

# PostgreSQL: the conformance suite and the integration tests run on it too.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  say "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export VIGIA_TEST_POSTGRES_URL="${VIGIA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
  command -v pg_dump >/dev/null || { say "installing the PostgreSQL client"; apt-get update -qq && apt-get install -y -qq postgresql-client; }
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable on 127.0.0.1:5432; CI needs it" >&2
  exit 1
else
  echo "warning: PostgreSQL not reachable: its tests are skipped (CI runs them)" >&2
fi

# Browser tests (headless Chromium via playwright-core), when present.
if [ -f web/tests/package.json ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing Chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  (cd web/tests && npm ci --no-audit --no-fund --silent)
fi

say "building and running the Rust tests"
cargo test --workspace --locked --all-features

if [ -f web/tests/package.json ]; then
  say "browser tests"
  cargo build --locked -p vigia
  (cd web/tests && VIGIA_BIN="$PWD/../../target/debug/vigia" node --test)
fi
say "all tests passed"
