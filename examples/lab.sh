#!/usr/bin/env bash
# VRRP failover lab: the first demo to run.
#
#   sudo ./examples/lab.sh [--impl ours|keepalived] [--nodes 2|3]
#
# Builds a tiny network out of network namespaces (nothing touches the
# host's own interfaces):
#
#              lab-PID-sw (Linux bridge br0)
#        ┌──────────┬──────────┬──────────────┐
#     node1       node2      [node3]        client
#  192.0.2.11  192.0.2.12  192.0.2.13     192.0.2.100
#  prio 150    prio 100    prio 50
#
# then runs the daemon in every node with examples/lab/node.conf.in and
# walks through a failover: who holds the VIP 192.0.2.200, SIGKILL of the
# master, how long the backup takes to pick the VIP up (polled every 20 ms),
# and the old master taking it back when it restarts. Everything it
# started (processes by PID, namespaces by name) is removed on exit,
# Ctrl-C or kill; the daemons' logs are kept for reading.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
IMPL=ours
NODES=2
VIP=192.0.2.200

while [ $# -gt 0 ]; do
    case "$1" in
        --impl) IMPL=${2:?--impl needs ours or keepalived}; shift 2 ;;
        --nodes) NODES=${2:?--nodes needs 2 or 3}; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done
case "$NODES" in 2|3) ;; *) echo "--nodes must be 2 or 3" >&2; exit 2 ;; esac
CARGO_OPTIONAL=1                   # --impl keepalived needs no cargo
# shellcheck source=../scripts/common.sh
source "$ROOT/scripts/common.sh"
need_root

# --- which daemon ---------------------------------------------------------
case "$IMPL" in
    ours)
        # (common.sh has put the invoking user's cargo on PATH under sudo.)
        echo "building the release binary (cargo build --release)…"
        (cd "$ROOT" && cargo build --release --quiet)
        BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/keepalived"
        ;;
    keepalived) BIN=/usr/sbin/keepalived ;;
    *) echo "--impl must be ours or keepalived" >&2; exit 2 ;;
esac
[ -x "$BIN" ] || { echo "$BIN not found" >&2; exit 1; }

# --- bookkeeping and cleanup ---------------------------------------------
LAB="lab-$$"                       # namespace prefix, unique per run
WORK=$(mktemp -d /tmp/vrrp-lab.XXXXXX)
chmod 755 "$WORK"
declare -A PID                     # node number -> daemon PID we started

crash() { kill_tree "$1"; }        # PID: like pulling the power plug (common.sh)
cleanup() {
    trap - EXIT INT TERM
    local n
    for n in "${!PID[@]}"; do crash "${PID[$n]}"; done
    delete_namespaces
    echo "cleaned up; daemon logs kept in $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the network ----------------------------------------------------------
# add_ns, make_switch and plug are in scripts/common.sh.
make_switch "$LAB-sw"
for n in $(seq 1 "$NODES"); do
    add_ns "$LAB-node$n"
    plug "$LAB-node$n" "node$n" "192.0.2.1$n"
done
add_ns "$LAB-client"
plug "$LAB-client" client 192.0.2.100

# --- the daemons -----------------------------------------------------------
priority() { echo $((200 - 50 * $1)); }   # node1 150, node2 100, node3 50

start_node() { # N: run the daemon in node N, in the foreground of a background job
    local n=$1 dir="$WORK/node$1"
    mkdir -p "$dir"
    sed -e "s/@ROUTER_ID@/lab-node$n/" -e "s/@PRIORITY@/$(priority "$n")/" \
        "$HERE/lab/node.conf.in" >"$dir/keepalived.conf"
    TMPDIR="$dir" ip netns exec "$LAB-node$n" "$BIN" -n -l -D -f "$dir/keepalived.conf" \
        -p "$dir/keepalived.pid" -r "$dir/vrrp.pid" -c "$dir/checkers.pid" \
        >>"$dir/log" 2>&1 &
    PID[$n]=$!                           # ip netns exec execs: this is the daemon
}

holder() { # -> the node numbers currently holding the VIP
    local n out=""
    for n in $(seq 1 "$NODES"); do
        ip -n "$LAB-node$n" -br addr show dev eth0 | grep -qw "$VIP/24" && out="$out node$n"
    done
    echo "${out# }"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Runs in this shell (not in $(…)) so that Ctrl-C or kill is handled at once.
wait_holders() { # "NODES" TIMEOUT_MS -> sets ELAPSED (ms) once exactly NODES hold the VIP
    local want=$1 limit=$2 t0
    t0=$(now_ms)
    while :; do
        ELAPSED=$(($(now_ms) - t0))
        [ "$(holder)" = "$want" ] && return 0
        [ "$ELAPSED" -ge "$limit" ] && return 1
        sleep 0.02
    done
}

client_sees() { # which MAC the client's ARP table has for the VIP
    ip -n "$LAB-client" neigh show to "$VIP" dev eth0 | awk '{for (i=1;i<NF;i++) if ($i=="lladdr") print $(i+1)}'
}

mac_of() { ip -n "$LAB-$1" -br link show dev eth0 | awk '{print $3}'; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- the walk-through -----------------------------------------------------
step "starting $IMPL ($BIN) in $NODES nodes"
for n in $(seq 1 "$NODES"); do
    start_node "$n"
    echo "node$n: pid ${PID[$n]}, priority $(priority "$n"), log $WORK/node$n/log"
done

step "election (every node starts as backup; the master-down timer decides)"
wait_holders node1 10000 || { echo "no master after 10 s; see the logs"; exit 1; }
t_elect=$ELAPSED
echo "VIP $VIP is on: $(holder)   (after ${t_elect} ms)"
# A connection attempt makes the client ARP for the VIP.
ip netns exec "$LAB-client" bash -c "exec 3<>/dev/tcp/$VIP/9" 2>/dev/null || true
echo "client's ARP entry for the VIP: $(client_sees)   (node1 is $(mac_of node1))"

step "SIGKILL of node1's daemon (the master): silent death"
crash "${PID[1]}"
unset 'PID[1]'
# The dead node's VIP stays configured (nobody is left to remove it), so
# wait for "node1 node2".
wait_holders "node1 node2" 10000 || { echo "node2 never took over; see the logs"; exit 1; }
t_fail=$ELAPSED
echo "node2 holds the VIP after ${t_fail} ms (expected about 3 × advert_int + skew ≈ 3.6 s)"
echo "VIP is configured on: $(holder)   (a SIGKILLed daemon cannot remove its VIP)"
sleep 0.2
echo "client's ARP entry for the VIP: $(client_sees)   (node2 is $(mac_of node2); updated by its gratuitous ARPs)"

step "restarting node1: higher priority, so it preempts"
start_node 1
# The new daemon first removes the stale VIP (entering BACKUP), hears
# node2's lower-priority adverts, ignores them and takes over when its
# master-down timer expires; node2 then steps back and removes the VIP.
wait_holders node1 10000 || { echo "node1 never took the VIP back; see the logs"; exit 1; }
t_back=$ELAPSED
echo "only node1 holds the VIP again, after ${t_back} ms"
sleep 0.2
echo "client's ARP entry for the VIP: $(client_sees)   (node1 is $(mac_of node1))"

step "summary ($IMPL, advert_int 1)"
printf '%-34s %10s\n' "event" "time"
printf '%-34s %7s ms\n' "first election (node1 master)" "$t_elect"
printf '%-34s %7s ms\n' "SIGKILL node1 -> node2 holds VIP" "$t_fail"
printf '%-34s %7s ms\n' "restart node1 -> node1 holds VIP" "$t_back"
