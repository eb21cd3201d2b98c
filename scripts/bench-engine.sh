#!/usr/bin/env bash
# Engine benchmarks on SQLite and on a throwaway PostgreSQL cluster (loopback), release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
swift build -c release --product mfa-bench
scripts/pg-test.sh start >/dev/null
trap 'scripts/pg-test.sh stop >/dev/null' EXIT
MFA_BENCH_POSTGRES_URL=$(scripts/pg-test.sh url) .build/release/mfa-bench --only engine "$@"
