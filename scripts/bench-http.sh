#!/usr/bin/env bash
# HTTP benchmark of `mfa serve` with wrk, on 127.0.0.1 only. One run measures, each for $DURATION seconds
# with $CONNECTIONS connections:
#   1. GET /healthz                                    the HTTP ceiling (no engine, no database)
#   2. POST /v1/users/{u}/verify with a wrong code     spread over $USERS users; the tenant's lockout is
#                                                      raised for the run, so each request is a full check
#   3. POST /v1/users/{u}/verify with valid codes      fresh HOTP codes: every user has the same imported
#                                                      token, whose sequential codes (mfa hotp code) the
#                                                      Lua script walks, user-major, so each is used once
# and prints req/s, p50/p99 latency and the ratio of each to the /healthz ceiling.
#
#   scripts/bench-http.sh                 release build, fresh SQLite data directory, then the three runs
#   DURATION=5 CONNECTIONS=64 scripts/bench-http.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/mfa_bench scripts/bench-http.sh   (an empty database)
#   MFA=.build/debug/mfa scripts/bench-http.sh   (skip the release build; figures are then meaningless)
set -euo pipefail

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
USERS=${USERS:-4000}
LOG_LEVEL=${LOG_LEVEL:-info}
SWIFT=${SWIFT:-swift}

die() { echo "bench-http: $*" >&2; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "bench-http: installing wrk" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >&2
    else
        die "wrk is missing; run: sudo apt-get update && sudo apt-get install -y wrk"
    fi
fi
command -v curl >/dev/null 2>&1 || die "curl is missing (apt-get install curl)"
[ $((USERS % THREADS)) -eq 0 ] || die "USERS ($USERS) must be a multiple of THREADS ($THREADS)"

if [ -z "${MFA:-}" ]; then
    echo "bench-http: $SWIFT build -c release --product mfa" >&2
    "$SWIFT" build -c release --product mfa >&2
    MFA=.build/release/mfa
fi
[ -x "$MFA" ] || die "$MFA is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/mfa-bench-http.XXXXXX")
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

store=(--data-dir "$work/data")
[ -n "${BENCH_DATABASE_URL:-}" ] && store+=(--database-url "$BENCH_DATABASE_URL")

# A tenant whose lockout cannot trigger during the run, and a key.
"$MFA" tenant create bench --issuer Bench "${store[@]}" >/dev/null 2>"$work/setup.log" || { cat "$work/setup.log" >&2; die "tenant create failed"; }
"$MFA" tenant policy bench --lockout-threshold 100000 --lockout-disable-after 100000 "${store[@]}" >/dev/null
key=$("$MFA" apikey create --tenant bench --name bench --scopes verify,enroll "${store[@]}")

"$MFA" serve --host 127.0.0.1 --port 0 --log-level "$LOG_LEVEL" "${store[@]}" >"$work/server.out" 2>"$work/server.log" &
server=$!
for _ in $(seq 1 200); do
    grep -q "^listening on " "$work/server.out" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; die "mfa serve did not start"; }
    sleep 0.05
done
base=$(sed -n 's/^listening on //p' "$work/server.out")
case "$base" in
    http://127.0.0.1:*) ;;
    *) die "the server is not on 127.0.0.1 ($base)" ;;
esac

# The same HOTP token imported for every user (one curl process, keep-alive), then its first codes.
secret=$(head -c 20 /dev/urandom | base32 | tr -d '=\n')
{
    for ((u = 0; u < USERS; u++)); do
        printf 'next\nurl = "%s/v1/users/u%d/methods/hotp"\nrequest = "POST"\n' "$base" "$u"
        printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\n' "$key"
        printf 'data = "{\\"secret\\": \\"%s\\", \\"name\\": \\"bench\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$secret"
    done
} >"$work/import.curl"
echo "bench-http: importing a token for $USERS users" >&2
created=$(curl -s -K "$work/import.curl" | grep -c '^201$' || true)
[ "$created" -eq "$USERS" ] || die "only $created of $USERS imports answered 201 (see $work/server.log)"

# Enough codes for a fast server: $USERS x $counters valid verifications. The wrong code is none of
# the codes the look-ahead (at most 100) could reach.
counters=${COUNTERS:-60}
: >"$work/all-codes.txt"
for ((c = 0; c < counters + 101; c++)); do
    printf '%s\n' "$secret" | "$MFA" hotp code --counter "$c" >>"$work/all-codes.txt"
done
head -n "$counters" "$work/all-codes.txt" >"$work/codes.txt"
wrong=000000
while grep -qx "$wrong" "$work/all-codes.txt"; do wrong=$(printf '%06d' $(( (RANDOM * 32768 + RANDOM) % 1000000 ))); done

cat >"$work/report.lua" <<'EOF'
-- Shared by every run: prints one machine-readable line at the end.
threads = {}
function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end
function report(summary, latency, ok, bad)
    local seconds = summary.duration / 1e6
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f requests=%d non2xx=%d socket_errors=%d ok=%d bad=%d\n",
        summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        summary.requests, summary.errors.status, errors, ok, bad))
end
EOF

cat >"$work/healthz.lua" <<'EOF'
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
function done(summary, latency, requests) report(summary, latency, -1, -1) end
EOF

cat >"$work/wrong.lua" <<'EOF'
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local users = tonumber(os.getenv("BENCH_USERS"))
local nthreads = tonumber(os.getenv("BENCH_THREADS"))
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
local body = '{"code": "' .. os.getenv("BENCH_WRONG") .. '"}'
local n = 0
function request()
    local u = (n * nthreads + tid) % users
    n = n + 1
    return wrk.format("POST", "/v1/users/u" .. u .. "/verify", headers, body)
end
function done(summary, latency, requests) report(summary, latency, -1, -1) end
EOF

cat >"$work/valid.lua" <<'EOF'
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
-- Request g of this thread's sequence (g = n * threads + tid) goes to user g % users with the code of
-- counter g / users: users are split between threads, and a user's next code is only sent after
-- `users` other requests, so each user's codes arrive in order.
local users = tonumber(os.getenv("BENCH_USERS"))
local nthreads = tonumber(os.getenv("BENCH_THREADS"))
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
local codes = {}
for line in io.lines(os.getenv("BENCH_DIR") .. "/codes.txt") do table.insert(codes, line) end
local n = 0
ok = 0
bad = 0
function request()
    local g = n * nthreads + tid
    n = n + 1
    local code = codes[math.floor(g / users) + 1] or "000000"  -- out of codes: counted as bad
    return wrk.format("POST", "/v1/users/u" .. (g % users) .. "/verify", headers, '{"code": "' .. code .. '"}')
end
function response(status, headers, body)
    if status == 200 and string.find(body, '"verified" *: *true') then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
    local total_ok, total_bad = 0, 0
    for _, thread in ipairs(threads) do
        total_ok = total_ok + thread:get("ok")
        total_bad = total_bad + thread:get("bad")
    end
    report(summary, latency, total_ok, total_bad)
end
EOF

export BENCH_DIR="$work" BENCH_USERS="$USERS" BENCH_THREADS="$THREADS" BENCH_KEY="$key" BENCH_WRONG="$wrong"
run() {  # name script url
    echo "bench-http: $1 (wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s)" >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$work/$2" "$3" >"$work/$2.out" 2>&1 ||
        { cat "$work/$2.out" >&2; die "wrk failed"; }
    grep '^RESULT ' "$work/$2.out" | sed 's/^RESULT //'
}
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

health=$(run "GET /healthz" healthz.lua "$base/healthz")
wrong_result=$(run "verify, wrong code, $USERS users" wrong.lua "$base/v1/users/u0/verify")
valid_result=$(run "verify, valid codes, $USERS users" valid.lua "$base/v1/users/u0/verify")
kill -TERM "$server"; wait "$server" || die "mfa serve did not stop cleanly"; server=""

ceiling=$(field "$health" rps)
hp50=$(field "$health" p50)
hp99=$(field "$health" p99)
store_name=${BENCH_DATABASE_URL:+PostgreSQL}
echo
echo "mfa serve ($(basename "$(dirname "$MFA")") build, ${store_name:-SQLite}, log level $LOG_LEVEL) on $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on 127.0.0.1"
printf '%-34s %10s %9s %9s %12s %10s %10s  %s\n' "run" "req/s" "p50 ms" "p99 ms" "of ceiling" "p50 x" "p99 x" "checks"
line() {  # name result checks
    local rps p50 p99
    rps=$(field "$2" rps); p50=$(field "$2" p50); p99=$(field "$2" p99)
    printf '%-34s %10.0f %9.2f %9.2f %11.1f%% %10.1f %10.1f  %s\n' "$1" "$rps" "$p50" "$p99" \
        "$(echo "$rps $ceiling" | awk '{ printf "%.1f", 100 * $1 / $2 }')" \
        "$(echo "$p50 $hp50" | awk '{ printf "%.1f", $1 / $2 }')" "$(echo "$p99 $hp99" | awk '{ printf "%.1f", $1 / $2 }')" "$3"
}
line "GET /healthz (ceiling)" "$health" "non-2xx $(field "$health" non2xx), socket errors $(field "$health" socket_errors)"
line "POST verify, wrong code" "$wrong_result" "non-2xx $(field "$wrong_result" non2xx), socket errors $(field "$wrong_result" socket_errors)"
line "POST verify, valid code" "$valid_result" "verified $(field "$valid_result" ok), not verified $(field "$valid_result" bad), socket errors $(field "$valid_result" socket_errors)"
echo
for name in wrong valid; do
    result=$([ $name = wrong ] && echo "$wrong_result" || echo "$valid_result")
    awk -v rps="$(field "$result" rps)" -v ceiling="$ceiling" -v p99="$(field "$result" p99)" -v name="$name" 'BEGIN {
        printf "goal (%s code): >= 40%% of the ceiling: %s (%.1f%%); p99 < 10 ms: %s (%.2f ms)\n", name,
            (rps >= 0.4 * ceiling ? "met" : "missed"), 100 * rps / ceiling, (p99 < 10 ? "met" : "missed"), p99 }'
done
