#!/usr/bin/env bash
# Fuzz the configuration reader for SECONDS (default 60): bytes as a config
# file through config::load with in-memory fakes. Installs cargo-fuzz when
# missing. Needs the nightly toolchain (cargo-fuzz's instrumentation flags).
set -euo pipefail
source "$(dirname "$0")/common.sh"
SECONDS_TO_RUN=${1:-60}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
cd "$ROOT/fuzz"
mkdir -p corpus/config_parse
# Seed with every configuration we have.
find "$ROOT/examples" "$ROOT/tests/config/cases" "$ROOT/../shared/corpus" -type f \
    ! -name '*.tsv' ! -name '*.rs' -exec cp -t corpus/config_parse {} + 2>/dev/null || true
exec cargo +nightly fuzz run -s none config_parse -- \
    -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -timeout=10
