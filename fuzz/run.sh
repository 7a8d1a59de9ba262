#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds (default 600) one after the other and logs the
# outcome to fuzz/logs/. Needs cargo-fuzz; on a stable toolchain RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz use the nightly-only sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
mkdir -p logs
for t in ${TARGETS:-parse parse_differential xpath xslt apply profile_native xdt}; do
    mkdir -p "corpus/$t"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"logs/$t.log" 2>&1 && echo "$t: no crash in ${SECONDS_EACH}s" || echo "$t: FAILED, see fuzz/logs/$t.log"
done
