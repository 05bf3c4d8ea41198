#!/usr/bin/env bash
# VRRP benchmark (issue 3): ours vs keepalived 2.2.7, side by side in one
# run, in one namespace lab.
#
#   sudo scripts/bench-vrrp.sh                 # full run, about 6.5 minutes
#   sudo BENCH_QUICK=1 scripts/bench-vrrp.sh   # smoke run, about 2 minutes
#
# Environment:
#   BENCH_QUICK=1      1 run per v2 takeover case, 2 per v3 case, 10 s windows
#   BENCH_SECONDS=N    length of the false-takeover and scale windows (60)
#   BENCH_RUNS=N       runs per takeover case (5)
#   BENCH_IMPLS=LIST   implementations, default "ours keepalived"
#   BENCH_PARTS=LIST   which parts to run, default "1 2 3"
#
# 1. Takeover. Two nodes run the same implementation (priorities 150 and
#    100, VRID 51, VIP 192.0.2.200). The master is ended by SIGKILL of its
#    whole process tree (SIGSTOP first, so nobody reacts) or by SIGTERM of
#    its parent (graceful: priority-0 advert, the backup takes over after
#    its skew time). examples/vip_watch.rs, run in the backup's namespace,
#    sends the signal at a random point of the advert cycle and timestamps,
#    on one monotonic clock, the master's adverts (raw VRRP socket) and the
#    VIP's appearance on the backup (NETLINK_ROUTE notification): precise
#    to well under a millisecond, no polling. Reported: signal -> VIP, and
#    the interval the protocol defines: last advert -> VIP for SIGKILL
#    (3 x advert_int + skew) and priority-0 advert -> VIP for SIGTERM
#    (skew), with skew = (256 - 100)/256 s (v2) or (256 - 100) x
#    advert_int/256 (v3). Runs of the two implementations alternate, so
#    drifting load on the machine hits both alike.
# 2. False takeovers. Both pairs at once (ours VRID 52, keepalived VRID 53,
#    VRRPv3 advert_int 0.05) while two CPU burners run: transitions to
#    MASTER logged by the backups, and the largest gap between two adverts
#    of each master seen by a client (what triggers a false takeover).
# 3. Scale. 255 instances (VRIDs 1..255, one VIP each) on one interface,
#    node1 master (150, started first: the time to its 255 VIPs is
#    reported) and node2 backup (100), advert_int 1: CPU seconds
#    (utime+stime+cutime+cstime of every process of the daemon's tree)
#    over the window, RSS (sum of VmRSS) and peak (sum of VmHWM), for the
#    master's and the backup's tree; the client counts adverts as a check
#    that the master really sends all of them.
#
# The summary goes to stdout and to target/bench-vrrp.txt; raw figures and
# daemon logs stay in the work directory it names. Every process it starts
# is stopped by PID and every namespace it creates deleted on exit, Ctrl-C
# or kill.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root
for tool in ip pgrep getconf; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    WINDOW=${BENCH_SECONDS:-10}
    RUNS_V2=${BENCH_RUNS:-1}
    RUNS_V3=${BENCH_RUNS:-2}
else
    WINDOW=${BENCH_SECONDS:-60}
    RUNS_V2=${BENCH_RUNS:-5}
    RUNS_V3=${BENCH_RUNS:-5}
fi
read -r -a IMPLS <<<"${BENCH_IMPLS:-ours keepalived}"
PARTS=" ${BENCH_PARTS:-1 2 3} "
part() { [[ "$PARTS" == *" $1 "* ]]; }

cd "$ROOT"
echo "building (cargo build --release --bin keepalived --example vip_watch)…"
cargo build --release --quiet --bin keepalived --example vip_watch
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WATCH="$TARGET/release/examples/vip_watch"
bin_of() {
    case "$1" in
        ours) echo "$TARGET/release/keepalived" ;;
        keepalived) echo /usr/sbin/keepalived ;;
        *) echo "unknown implementation $1" >&2; exit 2 ;;
    esac
}
for i in "${IMPLS[@]}"; do
    [ -x "$(bin_of "$i")" ] || { echo "$(bin_of "$i") not found" >&2; exit 1; }
done
mkdir -p "$ROOT/target"
OUT="$ROOT/target/bench-vrrp.txt"
CLK_TCK=$(getconf CLK_TCK)

# --- bookkeeping and cleanup ---------------------------------------------
LAB="bv$$"
WORK=$(mktemp -d /tmp/bench-vrrp.XXXXXX)
chmod 755 "$WORK"
declare -A LIVE=()                  # PIDs we started and have not reaped

crash() { # PID: stop the whole tree, then kill it, then reap (common.sh)
    kill_tree "$1"
    unset "LIVE[$1]"
}
reaped() { # PID: the signal came from elsewhere (vip_watch); reap it
    wait "$1" 2>/dev/null || true
    unset "LIVE[$1]"
}
stop_gracefully() { # PID: SIGTERM, up to 5 s to exit, then crash
    local i
    kill -TERM "$1" 2>/dev/null || true
    for i in $(seq 100); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    crash "$1"
}
cleanup() {
    trap - EXIT INT TERM
    local p
    for p in "${!LIVE[@]}"; do crash "$p"; done
    delete_namespaces
    echo "cleaned up; raw figures and daemon logs in $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the lab: a bridge, four nodes, a client --------------------------------
# add_ns, make_switch and plug are in scripts/common.sh.
make_switch "$LAB-sw"
for n in 1 2 3 4; do
    add_ns "$LAB-n$n"
    plug "$LAB-n$n" "n$n" "192.0.2.1$n"
done
add_ns "$LAB-cl"
plug "$LAB-cl" cl 192.0.2.100

# --- daemons -----------------------------------------------------------------
# write_conf FILE ROUTER_ID VERSION ADVERT_INT then instances on stdin as
# "NAME VRID PRIORITY VIP/PREFIX" lines.
write_conf() {
    local file=$1 rid=$2 ver=$3 adv=$4 name vrid prio vip
    {
        printf 'global_defs {\n    router_id %s\n}\n' "$rid"
        while read -r name vrid prio vip; do
            printf 'vrrp_instance %s {\n    state BACKUP\n    interface eth0\n' "$name"
            printf '    virtual_router_id %s\n    priority %s\n    version %s\n' "$vrid" "$prio" "$ver"
            printf '    advert_int %s\n    virtual_ipaddress {\n        %s dev eth0\n    }\n}\n' "$adv" "$vip"
        done
    } >"$file"
}

STARTED=
start_daemon() { # IMPL NODE DIR: keepalived's command line, logs in DIR/log
    local bin
    bin=$(bin_of "$1")
    TMPDIR="$3" ip netns exec "$LAB-n$2" "$bin" -n -l -D -f "$3/keepalived.conf" \
        -p "$3/k.pid" -r "$3/v.pid" -c "$3/c.pid" >>"$3/log" 2>&1 &
    STARTED=$!                          # ip netns exec execs: the daemon itself
    LIVE[$STARTED]=1
}

has_addr() { # NODE ADDR
    ip -n "$LAB-n$1" -o -4 addr show dev eth0 | grep -qF " $2/"
}
flush_vips() { # NODE: every address but the node's own
    ip -n "$LAB-n$1" -o -4 addr show dev eth0 | awk '{print $4}' | grep -vx "192.0.2.1$1/24" |
        while read -r a; do ip -n "$LAB-n$1" addr del "$a" dev eth0 2>/dev/null || true; done || true
}
wait_for() { # TIMEOUT_S COMMAND…: poll every 20 ms
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.02
    done
}
count_master() { grep -c "Entering MASTER STATE" "$1" 2>/dev/null || true; }

# --- statistics -------------------------------------------------------------
stats() { # numbers on stdin -> "median min max" (3 decimals), or "- - -"
    sort -n | awk '{a[NR]=$1} END {
        if (NR == 0) { print "- - -"; exit }
        m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
        printf "%.1f %.1f %.1f\n", m, a[1], a[NR] }'
}
field() { # KEY: values of KEY=… from the lines on stdin
    sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" | grep -v '^-$' || true
}

# --- 1. takeover ----------------------------------------------------------------
# takeover_run IMPL VERSION ADVERT_INT SIGNAL -> one line in $WORK/takeover.txt
RUN=0
takeover_run() {
    local impl=$1 ver=$2 adv=$3 sig=$4 adv_ms settle d1 d2 p1 p2 pids line
    RUN=$((RUN + 1))
    adv_ms=$(awk -v a="$adv" 'BEGIN {printf "%d", a * 1000}')
    settle=$([ "$adv_ms" -ge 500 ] && echo 2 || echo 5)
    d1="$WORK/takeover/$RUN-$impl-v$ver-$sig-n1"
    d2="$WORK/takeover/$RUN-$impl-v$ver-$sig-n2"
    mkdir -p "$d1" "$d2"
    echo "VI_1 51 150 192.0.2.200/24" | write_conf "$d1/keepalived.conf" bench-n1 "$ver" "$adv"
    echo "VI_1 51 100 192.0.2.200/24" | write_conf "$d2/keepalived.conf" bench-n2 "$ver" "$adv"
    flush_vips 1
    flush_vips 2
    start_daemon "$impl" 1 "$d1"; p1=$STARTED
    start_daemon "$impl" 2 "$d2"; p2=$STARTED
    if ! wait_for 20 has_addr 1 192.0.2.200; then
        echo "  $impl v$ver $sig: node1 never became master (see $d1/log)" >&2
        crash "$p1"; crash "$p2"; return 1
    fi
    pids=$(tree "$p1" | tr '\n' ' ')
    if line=$(ip netns exec "$LAB-n2" "$WATCH" takeover --ifname eth0 --vip 192.0.2.200 \
        --master 192.0.2.11 --vrid 51 --advert-ms "$adv_ms" --signal "$sig" \
        --pids "$pids" --settle "$settle" 2>"$d2/watch.err"); then
        echo "impl=$impl v=$ver adv=$adv sig=$sig $line" >>"$WORK/takeover.txt"
        printf '  %-10s v%s advert %-4s SIG%-4s %s\n' "$impl" "$ver" "$adv" "$sig" "$line"
    else
        echo "  $impl v$ver $sig: $(cat "$d2/watch.err") (see $d1/log, $d2/log)" >&2
    fi
    if [ "$sig" = KILL ]; then reaped "$p1"; else stop_gracefully "$p1"; fi
    crash "$p2"
}

echo "lab $LAB, work directory $WORK"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$WORK/takeover.txt"
if part 1; then
    CASES=("2 1 KILL $RUNS_V2" "2 1 TERM $RUNS_V2" "3 0.05 KILL $RUNS_V3" "3 0.05 TERM $RUNS_V3")
    echo
    echo "== 1. takeover (runs of ${IMPLS[*]} alternate)"
    for c in "${CASES[@]}"; do
        read -r ver adv sig runs <<<"$c"
        for r in $(seq "$runs"); do
            for impl in "${IMPLS[@]}"; do
                takeover_run "$impl" "$ver" "$adv" "$sig" || true
            done
        done
    done
fi

# --- 2. false takeovers under CPU load ----------------------------------------------
if part 2; then
    echo
    echo "== 2. false takeovers: VRRPv3 advert_int 0.05, two CPU burners, ${WINDOW} s (pairs run together)"
    declare -A FT_BEFORE=() FT_VRID=() FT_BACKUP_LOG=() FT_PIDS=()
    vrid=52
    node=1
    for impl in "${IMPLS[@]}"; do
        if [ "$node" -gt 3 ]; then echo "  (only two implementations at once; skipping $impl)"; continue; fi
        vip="192.0.2.$((200 + vrid - 51))/24"
        for k in 0 1; do
            n=$((node + k))
            d="$WORK/false/$impl-n$n"
            mkdir -p "$d"
            flush_vips "$n"
            echo "VI_1 $vrid $((150 - 50 * k)) $vip" | write_conf "$d/keepalived.conf" "bench-n$n" 3 0.05
            start_daemon "$impl" "$n" "$d"
            FT_PIDS[$impl]="${FT_PIDS[$impl]:-} $STARTED"
        done
        FT_VRID[$impl]=$vrid
        FT_BACKUP_LOG[$impl]="$WORK/false/$impl-n$((node + 1))/log"
        if ! wait_for 20 has_addr "$node" "${vip%/*}"; then
            echo "  $impl: node$node never became master" >&2
        fi
        vrid=$((vrid + 1))
        node=$((node + 2))
    done
    sleep 1
    for impl in "${!FT_VRID[@]}"; do FT_BEFORE[$impl]=$(count_master "${FT_BACKUP_LOG[$impl]}"); done
    BURNERS=()
    for k in 1 2; do
        sh -c 'while :; do :; done' &
        BURNERS+=($!)
        LIVE[$!]=1
    done
    ip netns exec "$LAB-cl" "$WATCH" observe --ifname eth0 --seconds "$WINDOW" >"$WORK/false/observe.txt"
    for p in "${BURNERS[@]}"; do kill -KILL "$p" 2>/dev/null || true; reaped "$p"; done
    sleep 0.5
    declare -A FT_COUNT=() FT_GAP=() FT_ADVERTS=()
    for impl in "${!FT_VRID[@]}"; do
        FT_COUNT[$impl]=$(($(count_master "${FT_BACKUP_LOG[$impl]}") - FT_BEFORE[$impl]))
        FT_GAP[$impl]=$(awk -v v="vrid=${FT_VRID[$impl]}" '$2 == v && $1 ~ /\.1[13]$/ {sub("max_gap_ms=", "", $4); print $4}' "$WORK/false/observe.txt" | head -1)
        FT_ADVERTS[$impl]=$(awk -v v="vrid=${FT_VRID[$impl]}" '$2 == v && $1 ~ /\.1[13]$/ {sub("adverts=", "", $3); print $3}' "$WORK/false/observe.txt" | head -1)
        printf '  %-10s backup entered MASTER %s times; master sent %s adverts, largest gap %s ms\n' \
            "$impl" "${FT_COUNT[$impl]}" "${FT_ADVERTS[$impl]:-?}" "${FT_GAP[$impl]:-?}"
        for p in ${FT_PIDS[$impl]}; do crash "$p"; done
    done
fi

# --- 3. scale: 255 instances -----------------------------------------------------
vips255() { # PRIORITY -> instance lines for write_conf
    local i
    for i in $(seq 1 254); do echo "VI_$i $i $1 198.51.100.$i/24"; done
    echo "VI_255 255 $1 192.0.2.250/24"
}
cpu_ticks() { # PIDs -> utime+stime+cutime+cstime, summed
    local p
    for p in "$@"; do sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || true; done |
        awk '{t += $12 + $13 + $14 + $15} END {print t + 0}'
}
raw_drops() { # NODE -> packets dropped by the raw sockets in NODE (full receive buffers)
    ip netns exec "$LAB-n$1" cat /proc/net/raw | awk 'NR > 1 {t += $NF} END {print t + 0}'
}
mem_kb() { # FIELD PIDs -> sum of FIELD (VmRSS, VmHWM) in kB
    local f=$1 p
    shift
    for p in "$@"; do grep "^$f:" "/proc/$p/status" 2>/dev/null || true; done | awk '{t += $2} END {print t + 0}'
}
if part 3; then
    echo
    echo "== 3. scale: 255 instances on eth0, advert_int 1, ${WINDOW} s window"
    declare -A SC=()
    for impl in "${IMPLS[@]}"; do
        d1="$WORK/scale/$impl-n1"
        d2="$WORK/scale/$impl-n2"
        mkdir -p "$d1" "$d2"
        vips255 150 | write_conf "$d1/keepalived.conf" bench-n1 2 1
        vips255 100 | write_conf "$d2/keepalived.conf" bench-n2 2 1
        flush_vips 1
        flush_vips 2
        # The master first, alone: the time to its 255 VIPs is a figure of
        # its own, and a backup started at the same moment would race it
        # (both time out around 3.5 s, and 255 elections settle slowly).
        t0=$(date +%s%N)
        start_daemon "$impl" 1 "$d1"; p1=$STARTED
        full() { [ "$(ip -n "$LAB-n1" -o -4 addr show dev eth0 | wc -l)" -ge 256 ]; }
        if ! wait_for 30 full; then
            echo "  $impl: node1 did not take all 255 VIPs in 30 s (see $d1/log)" >&2
        fi
        up_ms=$((($(date +%s%N) - t0) / 1000000))
        start_daemon "$impl" 2 "$d2"; p2=$STARTED
        sleep 3
        t1=($(tree "$p1")); t2=($(tree "$p2"))
        c1=$(cpu_ticks "${t1[@]}"); c2=$(cpu_ticks "${t2[@]}")
        m0=$(count_master "$d2/log")
        ip netns exec "$LAB-cl" "$WATCH" observe --ifname eth0 --seconds "$WINDOW" >"$d1/observe.txt"
        t1=($(tree "$p1")); t2=($(tree "$p2"))
        SC[$impl,procs]="${#t1[@]}/${#t2[@]}"
        SC[$impl,cpu1]=$(awk -v a="$c1" -v b="$(cpu_ticks "${t1[@]}")" -v h="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / h}')
        SC[$impl,cpu2]=$(awk -v a="$c2" -v b="$(cpu_ticks "${t2[@]}")" -v h="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / h}')
        SC[$impl,tot1]=$(awk -v b="$(cpu_ticks "${t1[@]}")" -v h="$CLK_TCK" 'BEGIN {printf "%.2f", b / h}')
        SC[$impl,rss1]=$(mem_kb VmRSS "${t1[@]}"); SC[$impl,hwm1]=$(mem_kb VmHWM "${t1[@]}")
        SC[$impl,rss2]=$(mem_kb VmRSS "${t2[@]}"); SC[$impl,hwm2]=$(mem_kb VmHWM "${t2[@]}")
        SC[$impl,up]=$up_ms
        SC[$impl,adverts]=$(awk '$1 == "src=192.0.2.11" {sub("adverts=", "", $3); n += $3; v++} END {print n + 0 "/" v + 0}' "$d1/observe.txt")
        SC[$impl,gap]=$(awk '$1 == "src=192.0.2.11" {sub("max_gap_ms=", "", $4); if ($4 > m) m = $4} END {printf "%.0f", m}' "$d1/observe.txt")
        SC[$impl,false]=$(($(count_master "$d2/log") - m0))
    SC[$impl,drops]="$(raw_drops 1)/$(raw_drops 2)"
        printf '  %-10s all VIPs up after %s ms; master: %s s CPU, RSS %s kB (peak %s); backup: %s s CPU, RSS %s kB;' \
            "$impl" "$up_ms" "${SC[$impl,cpu1]}" "${SC[$impl,rss1]}" "${SC[$impl,hwm1]}" "${SC[$impl,cpu2]}" "${SC[$impl,rss2]}"
        printf ' adverts seen %s; backup false takeovers %s; rx drops master/backup %s\n' \
            "${SC[$impl,adverts]}" "${SC[$impl,false]}" "${SC[$impl,drops]}"
        stop_gracefully "$p1"
        stop_gracefully "$p2"
    done
fi

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- summary -----------------------------------------------------------------------
{
    echo "VRRP benchmark: ours ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')) vs keepalived $(/usr/sbin/keepalived --version 2>&1 | sed -n '1s/^Keepalived v\([^ ]*\).*/\1/p')"
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $LOAD_START at start, $LOAD_END at end"
    echo
    if part 1; then
        echo "1. Takeover time, ms: median [min..max] over the runs (backup priority 100)"
        echo "   signal->VIP: from the signal to the VIP on the backup (netlink)"
        echo "   protocol interval: SIGKILL last advert->VIP, protocol 3 x advert_int + skew;"
        echo "                      SIGTERM priority-0 advert->VIP, protocol skew"
        printf '%-22s %-10s %2s  %-26s %-26s %8s %8s\n' case impl n "signal->VIP" "protocol interval" protocol "delta"
        for c in "${CASES[@]}"; do
            read -r ver adv sig runs <<<"$c"
            if [ "$ver" = 2 ]; then
                skew=$(awk 'BEGIN {printf "%.1f", (256 - 100) / 256 * 1000}')
            else
                skew=$(awk -v a="$adv" 'BEGIN {printf "%.1f", (256 - 100) * a * 1000 / 256}')
            fi
            if [ "$sig" = KILL ]; then
                proto=$(awk -v a="$adv" -v s="$skew" 'BEGIN {printf "%.1f", 3 * a * 1000 + s}')
                key=last_advert_to_vip_ms
            else
                proto=$skew
                key=prio0_to_vip_ms
            fi
            for impl in "${IMPLS[@]}"; do
                rows=$(grep "^impl=$impl v=$ver adv=$adv sig=$sig " "$WORK/takeover.txt" || true)
                n=$(printf '%s' "$rows" | grep -c . || true)
                read -r sm smin smax <<<"$(printf '%s\n' "$rows" | field signal_to_vip_ms | stats)"
                read -r pm pmin pmax <<<"$(printf '%s\n' "$rows" | field "$key" | stats)"
                delta=$(awk -v m="$pm" -v p="$proto" 'BEGIN {if (m == "-") print "-"; else printf "%+.1f", m - p}')
                printf '%-22s %-10s %2s  %-26s %-26s %8s %8s\n' "v$ver advert $adv SIG$sig" "$impl" "$n" \
                    "$sm [$smin..$smax]" "$pm [$pmin..$pmax]" "$proto" "$delta"
                eval "MED_${impl}_${ver}_${sig}=$pm"
            eval "PROTO_${ver}_${sig}=$proto"
            done
        done
        if [[ " ${IMPLS[*]} " == *" ours "* && " ${IMPLS[*]} " == *" keepalived "* ]]; then
            echo "   targets: ours within 20 ms of the protocol figure (median), at most 5 ms slower than keepalived"
            for c in "${CASES[@]}"; do
                read -r ver adv sig runs <<<"$c"
                o=$(eval echo "\${MED_ours_${ver}_${sig}:--}")
                k=$(eval echo "\${MED_keepalived_${ver}_${sig}:--}")
                p=$(eval echo "\${PROTO_${ver}_${sig}:--}")
                awk -v o="$o" -v k="$k" -v p="$p" -v c="v$ver advert $adv SIG$sig" 'BEGIN {
                    if (o == "-" || k == "-") { printf "   %-22s no data\n", c; exit }
                    printf "   %-22s ours - protocol = %+.1f ms: %s; ours - keepalived = %+.1f ms: %s\n", c,
                        o - p, (o - p <= 20) ? "met" : "MISSED", o - k, (o - k <= 5) ? "met" : "MISSED" }'
            done
        fi
    fi
    if part 2; then
        echo
        echo "2. False takeovers: VRRPv3 advert_int 0.05 (master-down 180.5 ms), two CPU burners, ${WINDOW} s"
        printf '%-12s %22s %18s %22s\n' impl "backup -> MASTER" "master adverts" "largest advert gap"
        for impl in "${IMPLS[@]}"; do
            [ -n "${FT_VRID[$impl]:-}" ] || continue
            printf '%-12s %22s %18s %19s ms\n' "$impl" "${FT_COUNT[$impl]}" "${FT_ADVERTS[$impl]:-?}" "${FT_GAP[$impl]:-?}"
        done
    fi
    if part 3; then
        echo
        echo "3. Scale: 255 instances, advert_int 1, ${WINDOW} s window; CPU = utime+stime of the whole tree"
        printf '%-12s %6s %9s %12s %12s %10s %12s %12s %12s %9s\n' impl procs "VIPs up" "master CPU" "master RSS" "peak" \
            "backup CPU" "backup RSS" "adverts/VRIDs" "max gap"
        for impl in "${IMPLS[@]}"; do
            printf '%-12s %6s %6s ms %10s s %9s kB %7s kB %10s s %9s kB %12s %6s ms\n' "$impl" "${SC[$impl,procs]}" \
                "${SC[$impl,up]}" "${SC[$impl,cpu1]}" "${SC[$impl,rss1]}" "${SC[$impl,hwm1]}" \
                "${SC[$impl,cpu2]}" "${SC[$impl,rss2]}" "${SC[$impl,adverts]}" "${SC[$impl,gap]}"
        done
        echo "   (master CPU including startup: $(for i in "${IMPLS[@]}"; do printf '%s %s s  ' "$i" "${SC[$i,tot1]}"; done);" \
            "backup false takeovers: $(for i in "${IMPLS[@]}"; do printf '%s %s  ' "$i" "${SC[$i,false]}"; done);" \
            "VRRP packets dropped by full socket buffers, master/backup: $(for i in "${IMPLS[@]}"; do printf '%s %s  ' "$i" "${SC[$i,drops]}"; done))"
    fi
} >"$OUT"
echo
cat "$OUT"
echo
echo "summary written to $OUT (run took $((SECONDS / 60)) min $((SECONDS % 60)) s)"
