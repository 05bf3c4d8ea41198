# Sourced by the other scripts: finds cargo (also under sudo), and creates a
# throw-away network namespace that is deleted on exit, Ctrl-C or kill.

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
command -v cargo >/dev/null 2>&1 || { echo "cargo not found (install Rust with rustup)" >&2; exit 1; }

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
