#!/usr/bin/env bash
# The main demo, for now: build, then run `keepalived -t` (ours, and Debian's
# 2.2.7 when installed) on every example in a temporary network namespace and
# print the verdicts side by side. It will become the VRRP failover demo once
# the daemon exists. Cleans up even when interrupted.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root
cd "$ROOT"
cargo build --release --quiet
OURS="$ROOT/target/release/keepalived"
THEIRS=/usr/sbin/keepalived
make_netns kalab

verdict() { # PROGRAM DIR FILE -> "exit N"
    local rc=0
    (cd "$2" && timeout 10 ip netns exec "$NETNS" "$1" -t -f "$3") >"$TMP_OUT" 2>&1 || rc=$?
    echo "$rc"
}
TMP_OUT=$(mktemp)
trap 'rm -f "$TMP_OUT"; cleanup_netns' EXIT

printf '%-34s %-6s %s\n' "configuration" "ours" "keepalived 2.2.7"
for f in $(cd "$ROOT" && find examples -name '*.conf' | sort) keepalived.conf.sample; do
    dir=$(dirname "$ROOT/$f")
    base=$(basename "$f")
    ours=$(verdict "$OURS" "$dir" "$base")
    if [ -x "$THEIRS" ]; then theirs=$(verdict "$THEIRS" "$dir" "$base"); else theirs="(not installed)"; fi
    printf '%-34s %-6s %s\n' "$f" "$ours" "$theirs"
done
echo
echo "exit codes: 0 clean, 2 missing parameter, 4 fatal, 5 errors, 6 script security"
