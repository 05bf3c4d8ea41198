#!/usr/bin/env bash
# Fuzz the configuration reader for SECONDS (default 60): bytes as a config
# file through config::load with in-memory fakes. Installs cargo-fuzz when
# missing. Works on the stable toolchain: `-s none` (no sanitizer, still
# coverage-guided; Rust's own checks catch what matters for safe code).
# FUZZ_ASAN=1 builds with AddressSanitizer instead, through RUSTC_BOOTSTRAP=1
# (cargo-fuzz passes -Z flags, which stable accepts only that way).
# Extra arguments go to libFuzzer (e.g. -jobs=4 -workers=4).
set -euo pipefail
source "$(dirname "$0")/common.sh"
SECONDS_TO_RUN=${1:-60}
shift || true
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
cd "$ROOT/fuzz"
CORPUS=corpus/config_parse
mkdir -p "$CORPUS"
# Seed with every configuration we have, named by content hash so files of the
# same name (node1.conf, keepalived.conf, ...) do not overwrite each other.
find "$ROOT/examples" "$ROOT/tests/config/cases" "$ROOT/keepalived.conf.sample" \
    "$ROOT/../shared/corpus" -type f ! -name '*.tsv' ! -name '*.rs' 2>/dev/null |
    while IFS= read -r f; do
        h=$(sha1sum <"$f" | cut -c1-40)
        [ -e "$CORPUS/$h" ] || cp "$f" "$CORPUS/$h"
    done
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
    sanitizer=(-s address)
    export RUSTC_BOOTSTRAP=1
else
    sanitizer=(-s none)
fi
exec cargo fuzz run "${sanitizer[@]}" config_parse "$CORPUS" -- \
    -dict=config.dict -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-20}" "$@"
