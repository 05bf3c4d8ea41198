#!/usr/bin/env bash
# Config-test speed and memory, ours vs keepalived 2.2.7, on a generated
# configuration (500 VRRP instances, 10,000 virtual servers x 4 real servers):
# wall time and peak RSS from /usr/bin/time -v, median of RUNS (default 5).
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root
RUNS=${RUNS:-5}
cd "$ROOT"
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 1; }
cargo build --release --quiet --bin keepalived --example gen_bench_config
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
WORK=$(mktemp -d)
make_netns kabench
trap 'rm -rf "$WORK"; cleanup_netns' EXIT
"$BIN/examples/gen_bench_config" >"$WORK/bench.conf"
echo "bench.conf: $(wc -l <"$WORK/bench.conf") lines"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # NAME PROGRAM
    local times=() rss=() i rc
    for i in $(seq "$RUNS"); do
        rc=0
        (cd "$WORK" && /usr/bin/time -v -o "$WORK/time.txt" \
            timeout 300 ip netns exec "$NETNS" "$2" -t -f bench.conf >"$WORK/out.txt" 2>&1) || rc=$?
        times+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$WORK/time.txt")")
        rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")")
    done
    printf '%-20s exit %-3s median wall %8ss  median peak RSS %8s KB\n' "$1" "$rc" \
        "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)"
}

measure "keepalived 2.2.7" /usr/sbin/keepalived
measure "ours" "$BIN/keepalived"
