#!/usr/bin/env bash
# Release build of mfa-bench and a run of it; prints medians and ratios measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
swift build -c release --product mfa-bench
.build/release/mfa-bench "$@"
