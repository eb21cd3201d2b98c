#!/usr/bin/env bash
# `make run`: serve the HTTP API on the embedded default (SQLite and the master key in ./data, made on
# first start) in development mode: a tenant "demo" and an API key with every scope are made unless they
# exist (the key is kept in ./data/dev-api-key, mode 0600, so restarts reuse it), and a curl walk-through
# is printed. Runs in the foreground; Ctrl-C (SIGINT) or SIGTERM stops it after the requests in flight.
#
#   scripts/dev-serve.sh [path/to/mfa] [more mfa serve options, e.g. --port 9090 --log-format json]
set -euo pipefail
mfa=${1:-.build/debug/mfa}
shift || true
[ -x "$mfa" ] || { echo "dev-serve: $mfa is missing; run: swift build --product mfa" >&2; exit 1; }
exec "$mfa" serve --dev "$@"
