#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on a free loopback port.
#
#   scripts/pg-test.sh start   initdb into a fresh temporary directory, start the server, record its URL
#   scripts/pg-test.sh url     print the URL of the running cluster (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/pg-test.sh stop    stop the server and remove its directory (safe to call when none runs)
#
# Trust authentication on 127.0.0.1 only, the Unix socket in the data directory (-k), fsync off: for tests,
# never for data you want to keep. Run as root, the server runs as the `postgres` user (PostgreSQL refuses
# to run as root) and the packages are installed with apt-get when missing. The state lives in
# $MFA_PG_TEST_STATE (default .build/pg-test): `url` and `datadir`.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
STATE_DIR=${MFA_PG_TEST_STATE:-.build/pg-test}

die() { echo "pg-test: $*" >&2; exit 1; }

# Runs a PostgreSQL binary as the `postgres` user when we are root, else as ourselves.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_installed() {
    [ -x "$PG_BIN/initdb" ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "pg-test: installing postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends postgresql >&2
        [ -x "$PG_BIN/initdb" ] || die "postgresql is installed but $PG_BIN/initdb is missing (set PG_BIN)"
    else
        die "$PG_BIN/initdb is missing; run: sudo apt-get update && sudo apt-get install -y postgresql"
    fi
}

port_is_free() {
    # Something answering on the port means it is taken; a refused connection means it is free.
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local port tries=0
    while [ $tries -lt 50 ]; do
        port=$((55432 + RANDOM % 5000))
        if port_is_free "$port"; then echo "$port"; return 0; fi
        tries=$((tries + 1))
    done
    die "no free loopback port found in 55432-60431"
}

cmd_stop() {
    [ -f "$STATE_DIR/datadir" ] || return 0
    local datadir
    datadir=$(cat "$STATE_DIR/datadir")
    if [ -n "$datadir" ] && [ -f "$datadir/data/postmaster.pid" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$datadir/data" -m fast -w stop >/dev/null 2>&1 ||
            echo "pg-test: pg_ctl stop failed; see $datadir/server.log" >&2
    fi
    case "$datadir" in
        */mfa-pg-test.*) rm -rf "$datadir" ;;
    esac
    rm -f "$STATE_DIR/url" "$STATE_DIR/datadir"
    rmdir "$STATE_DIR" 2>/dev/null || true
}

cmd_start() {
    ensure_installed
    if [ -f "$STATE_DIR/url" ]; then
        echo "pg-test: a cluster is recorded in $STATE_DIR already; stopping it first" >&2
        cmd_stop
    fi
    mkdir -p "$STATE_DIR"
    local datadir port url
    datadir=$(mktemp -d "${TMPDIR:-/tmp}/mfa-pg-test.XXXXXX")
    echo "$datadir" > "$STATE_DIR/datadir"
    chmod 755 "$datadir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$datadir"
    fi
    as_pg "$PG_BIN/initdb" -D "$datadir/data" -U postgres -A trust -E UTF8 --locale=C >"$datadir/initdb.log" 2>&1 ||
        { cat "$datadir/initdb.log" >&2; die "initdb failed"; }
    # Trust on 127.0.0.1 only (listen_addresses below), plus the socket in the data directory.
    cat > "$datadir/data/pg_hba.conf" <<'EOF'
local   all  all                trust
host    all  all  127.0.0.1/32  trust
EOF
    port=$(pick_port)
    if ! as_pg "$PG_BIN/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $datadir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        cat "$datadir/server.log" >&2 || true
        die "pg_ctl start failed"
    fi
    url="postgres://postgres@127.0.0.1:$port/postgres"
    echo "$url" > "$STATE_DIR/url"
    echo "$url"
}

cmd_url() {
    [ -f "$STATE_DIR/url" ] || die "no cluster is running (scripts/pg-test.sh start)"
    cat "$STATE_DIR/url"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
