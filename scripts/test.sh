#!/usr/bin/env bash
# Every check: formatting, clippy with warnings as errors, the shipped
# (release) build, and all tests built with the `ci` profile (release's
# optimisation without fat LTO; see Cargo.toml). The differential tests
# against keepalived 2.2.7 need root and /usr/sbin/keepalived; without them
# they print SKIPPED. Runs every step and fails if any failed, so one run
# shows every problem.
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"
[ "$(id -u)" = 0 ] || echo "warning: not root: the differential tests will be SKIPPED" >&2

failed=()
step() {
    echo "==> $*"
    "$@" || failed+=("$*")
}
step cargo fmt --check
step cargo clippy --all-targets -- -D warnings
step cargo build --release
# Keep cargo's output to total it at the end (its last "test result" line is
# the doc-tests', which run none).
TEST_LOG=$(mktemp)
trap 'rm -f "$TEST_LOG"' EXIT
step bash -c 'cargo test --profile ci --no-fail-fast 2>&1 | tee "$0"; exit "${PIPESTATUS[0]}"' "$TEST_LOG"
# The VRRP lab scenarios ran above with our daemon as node 0 and keepalived
# 2.2.7 as its peers; run them again with the roles swapped and with ours on
# every node.
for impls in keepalived,ours ours; do
    step bash -c 'LAB_IMPLS=$1 cargo test --profile ci --no-fail-fast --test vrrp_lab 2>&1 | tee -a "$0"; exit "${PIPESTATUS[0]}"' "$TEST_LOG" "$impls"
done
# The config reader under the fuzzer for a bounded time (no crash, hang or
# runaway memory); FUZZ_SECONDS=0 skips it.
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
    step ./scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi
if [ -f target/differential-summary.txt ]; then
    echo "==> differential summary (target/differential-summary.txt):"
    head -n 40 target/differential-summary.txt
fi
if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}"
else
    echo "all checks passed"
fi
# CI shows only the end of this output: name each failed test, with its
# test binary and the first lines of its panic, just above the totals.
awk '
    /^ *Running / { bin = $2 }
    /^test .* FAILED$/ { print "failed test: " bin " " $2 }
    /panicked at/ { left = 3 }
    left > 0 && shown < 30 { print "  | " $0; left--; shown++ }
' "$TEST_LOG"
# The closing line: every test run above, totalled.
awk '/^test result:/ {p += $4; f += $6} END {printf "tests: %d passed, %d failed\n", p, f}' "$TEST_LOG"
[ ${#failed[@]} -eq 0 ]
