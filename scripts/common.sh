# Sourced by the other scripts: finds cargo (also under sudo), creates a
# throw-away network namespace that is deleted on exit, Ctrl-C or kill, and
# builds namespace labs (a bridge and nodes cabled to it) for
# examples/lab.sh and scripts/bench-vrrp.sh. A script that can run without
# cargo sets CARGO_OPTIONAL=1 before sourcing.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Under sudo, root's PATH usually lacks the invoking user's ~/.cargo/bin.
if ! command -v cargo >/dev/null 2>&1; then
    for d in "${CARGO_HOME:-$HOME/.cargo}/bin" ${SUDO_USER:+"$(getent passwd "$SUDO_USER" | cut -d: -f6)/.cargo/bin"}; do
        if [ -x "$d/cargo" ]; then
            PATH="$d:$PATH"
            break
        fi
    done
fi
command -v cargo >/dev/null 2>&1 || [ -n "${CARGO_OPTIONAL:-}" ] ||
    { echo "cargo not found (install Rust with rustup)" >&2; exit 1; }

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "$(basename "$0") needs root (network namespaces): run it with sudo" >&2
        exit 1
    fi
}

NETNS=

cleanup_netns() {
    if [ -n "$NETNS" ]; then
        ip netns del "$NETNS" 2>/dev/null || true
        NETNS=
    fi
}

# make_netns PREFIX: creates PREFIX-PID with eth0 eth1 bond0 team0 (veth
# pairs, peers p-IF inside too) and lo, all up; sets NETNS.
make_netns() {
    NETNS="$1-$$"
    trap cleanup_netns EXIT
    trap 'cleanup_netns; exit 130' INT
    trap 'cleanup_netns; exit 143' TERM
    ip netns add "$NETNS"
    ip -n "$NETNS" link set lo up
    local i
    for i in eth0 eth1 bond0 team0; do
        ip -n "$NETNS" link add "$i" type veth peer name "p-$i"
        ip -n "$NETNS" link set "$i" up
        ip -n "$NETNS" link set "p-$i" up
    done
}

# --- namespace labs ----------------------------------------------------------
# The caller names its namespaces with a per-run prefix, and deletes them
# (delete_namespaces) and the processes it started (kill_tree, by PID) in
# its own EXIT trap.

NAMESPACES=()                      # every namespace add_ns created

add_ns() { # NAME: a new namespace with lo up
    ip netns add "$1"
    NAMESPACES+=("$1")
    ip -n "$1" link set lo up
}

delete_namespaces() {
    local ns
    for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    NAMESPACES=()
}

make_switch() { # NAME: namespace NAME holding bridge br0 (no STP, no IGMP snooping); sets SW
    SW=$1
    add_ns "$SW"
    ip -n "$SW" link add br0 type bridge stp_state 0 mcast_snooping 0
    ip -n "$SW" link set br0 up
}

plug() { # NAMESPACE PORT ADDRESS: eth0 in NAMESPACE with ADDRESS/24, cabled to port PORT of br0 in $SW
    ip -n "$SW" link add "$2" type veth peer name eth0 netns "$1"
    ip -n "$SW" link set "$2" master br0 up
    ip -n "$1" addr add "$3/24" dev eth0
    ip -n "$1" link set eth0 up
}

# A daemon is a parent plus children (the VRRP process, scripts): stop the
# whole tree first so nobody reacts (no respawn, no goodbye advert), then
# kill it. Only PIDs the caller started and their descendants.
tree() { # PID -> PID and all its descendants
    local p=$1 c
    echo "$p"
    for c in $(pgrep -P "$p" 2>/dev/null || true); do tree "$c"; done
}

kill_tree() { # PID: like pulling the power plug; then reaps PID
    local pids
    pids=$(tree "$1")
    # shellcheck disable=SC2086
    kill -STOP $pids 2>/dev/null || true
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
