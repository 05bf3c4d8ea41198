#!/bin/bash
# Benchmark of the health checker (issue 5), run by hand, NOT part of CI:
# 10,000 real servers (2,500 virtual servers x 4) with TCP_CHECK and
# delay_loop 1 against loopback listeners inside the IPVS qemu guest
# (tests/ipvs_vm/run-in-vm.sh). Debian's keepalived 2.2.7 (-C) runs first,
# then ours, one after the other, on the same configuration. For each:
#   startup   seconds until all 10,000 destinations are in the IPVS table
#   checks/s  connections the listeners accepted per second (30 s window)
#   cpu s/min utime+stime of the checker process over that window, x2
#             (user/sys: the two parts; ms/check: CPU per accepted check,
#             the figure to compare, since the two check at different rates)
#   opens/s   TCP connections the checker opened per second (the guest
#             kernel's ActiveOpens: the checker is its only active opener),
#             with ms/open its CPU per connection attempt; under TCG the
#             listeners cannot accept them all (ListenOverflows: handshakes
#             the listeners' full queues dropped, per second), so checks/s
#             also measures the listeners, opens/s the checker alone
#   VmHWM     peak RSS of the checker process (VmRSS: at the end)
#   removal   seconds from stopping one real server's listener to its
#             destination leaving `ipvsadm -Ln` (polled every 0.1 s)
# The guest runs under TCG (software emulation), so absolute figures are
# slow; compare the two columns, not the numbers with real hardware.
#
# Usage: scripts/bench-checker.sh [--debug] [--smp N] [--mem MB] [--window S] [--vs N]
#                                 [--baseline BINARY] [--ours BINARY] [--no-keepalived] [--perf]
#                                 [--delay-loop S] [--floor]
#   (default: release build of ours, 2 vCPUs, 2048 MB, 30 s window, 2500 VS;
#   a small --vs is a quick smoke test of the script itself; --baseline also
#   benches an earlier build of ours, as "ours-before", in the same guest;
#   --ours benches that binary instead of building one; --no-keepalived
#   skips keepalived 2.2.7, for quick looks at ours between changes;
#   --perf samples the whole guest with the host's perf during each window
#   and prints where the CPU went, by process and kernel/user function;
#   --delay-loop sets the checkers' delay_loop (default 1, which neither
#   daemon sustains under emulation; at 5 both do, and CPU s/min compares
#   the same work); --floor then runs scripts/bench-floor.rs, a checker
#   with only the system calls a check needs, at keepalived's rate (ours'
#   with --no-keepalived) and then as fast as it can: its CPU per check is
#   about the kernel's share for these packets, near the floor of any checker;
#   then both again closing with a reset, which no checker of ours does,
#   to show what keepalived's FIN costs)
# Needs root, qemu-system-x86_64, /usr/sbin/keepalived and rustc.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release smp=2 mem=2048 window=30 nvs=2500 baseline= ours= skip_ka=0 perf=0 delay=1 floor=0
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) profile=debug; shift;;
    --smp) smp=$2; shift 2;;
    --mem) mem=$2; shift 2;;
    --window) window=$2; shift 2;;
    --vs) nvs=$2; shift 2;;
    --baseline) baseline=$2; shift 2;;
    --ours) ours=$2; shift 2;;
    --no-keepalived) skip_ka=1; shift;;
    --perf) perf=1; shift;;
    --delay-loop) delay=$2; shift 2;;
    --floor) floor=1; shift;;
    *) echo "usage: $0 [--debug] [--smp N] [--mem MB] [--window S] [--vs N] [--baseline BINARY] [--ours BINARY] [--no-keepalived] [--perf] [--delay-loop S] [--floor]" >&2; exit 2;;
  esac
done
T=${CARGO_TARGET_DIR:-target}
if [ -n "$ours" ]; then OURS=$ours
else
  if [ "$profile" = release ]; then cargo build --release --bin keepalived; else cargo build --bin keepalived; fi
  OURS=$T/$profile/keepalived
fi
W=$(mktemp -d /tmp/bench-checker.XXXXXX); trap 'rm -rf "$W"' EXIT
rustc -O -o "$W/bench-listener" scripts/bench-listener.rs
rustc -O --edition 2024 -o "$W/bench-floor" scripts/bench-floor.rs

# 2,500 VS: 192.0.2.(1..250):(1000..1009); RS j of VS n: 127.(1+n/250).(n%250).(j+1)
# port 8000+j, except VS 0 RS 0 on port 9000 (its own listener, the one stopped).
awk -v nvs="$nvs" -v delay="$delay" 'BEGIN {
  print "global_defs {\n  router_id bench\n}"
  for (n = 0; n < nvs; n++) {
    printf "virtual_server 192.0.2.%d %d {\n delay_loop %d\n lb_algo rr\n lb_kind NAT\n protocol TCP\n", n % 250 + 1, 1000 + int(n / 250), delay
    for (j = 0; j < 4; j++) {
      port = (n == 0 && j == 0) ? 9000 : 8000 + j
      printf " real_server 127.%d.%d.%d %d {\n  TCP_CHECK {\n   connect_timeout 3\n   retry 1\n   delay_before_retry 1\n  }\n }\n", 1 + int(n / 250), n % 250, j + 1, port
    }
    print "}"
  }
}' > "$W/bench.conf"

cat > "$W/guest.sh" <<'GUEST'
# runs in the guest: bench one implementation: $1 = label, $2 = binary
up() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(up)" 'BEGIN{printf "%.2f", b-a}'; }
cnt() { cat /tmp/count 2>/dev/null || echo 0; }
dests() { ipvsadm -Ln | grep -c '^  -> [0-9]' || true; }
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
ucpu() { awk '{print $14}' /proc/$1/stat; }
# kstat FILE PREFIX KEY: a counter of /proc/net/snmp or /proc/net/netstat
kstat() { awk -v p="$2:" -v k="$3" '$1==p { if (!c) { for (i=2;i<=NF;i++) if ($i==k) c=i } else { print $c; exit } }' /proc/net/$1; }
# the previous run's TIME_WAIT sockets (up to a minute of them) would make
# the next one's connects dearer: wait until they have expired
tw_drain() {
  t0=$(up)
  while [ "$(awk '/^TCP:/{for (i=1;i<NF;i++) if ($i=="tw") print $(i+1)}' /proc/net/sockstat)" -gt 100 ] && [ "$(since "$t0" | cut -d. -f1)" -lt 90 ]; do sleep 1; done
}
# floor RATE [rst]: bench-floor at RATE checks/s against fresh listeners
floor() {
  tw_drain
  bench-listener /tmp/countf 8000 8001 8002 8003 & L=$!
  sleep 1
  bench-floor "$((NRS / 4))" "$1" 10 "$WINDOW" $2
  kill $L; wait $L 2>/dev/null || true
}
bench() {
  label=$1 bin=$2
  ipvsadm -C
  tw_drain
  rm -f /tmp/count /tmp/c.pid
  bench-listener /tmp/count 8000 8001 8002 8003 & L=$!
  bench-listener /tmp/count9 9000 & L9=$!
  sleep 1
  t0=$(up)
  $bin -n -C -f /vm/bench.conf -p /tmp/p.pid -c /tmp/c.pid -r /tmp/v.pid >/tmp/$label.log 2>&1 & D=$!
  n=0
  while [ "$n" -lt "$NRS" ]; do
    sleep 1; n=$(dests)
    if [ "$(since "$t0" | cut -d. -f1)" -gt 600 ]; then echo "$label: only $n destinations after 600 s"; break; fi
    kill -0 $D 2>/dev/null || { echo "$label: daemon died"; tail -5 /tmp/$label.log; break; }
  done
  start=$(since "$t0")
  C=$(cat /tmp/c.pid)
  sleep 10
  c0=$(cnt); u0=$(cpu "$C"); us0=$(ucpu "$C"); w0=$(up)
  a0=$(kstat snmp Tcp ActiveOpens); o0=$(kstat netstat TcpExt ListenOverflows)
  if [ "$PERF" = 1 ]; then
    perf record -q -a -g -e cpu-clock -o /tmp/$label.perf -- sleep "$WINDOW" 2>/dev/null
  else
    sleep "$WINDOW"
  fi
  c1=$(cnt); u1=$(cpu "$C"); us1=$(ucpu "$C"); secs=$(since "$w0")
  a1=$(kstat snmp Tcp ActiveOpens); o1=$(kstat netstat TcpExt ListenOverflows)
  opens=$(awk -v a="$a0" -v b="$a1" -v s="$secs" 'BEGIN{printf "%.0f", (b-a)/s}')
  ovf=$(awk -v a="$o0" -v b="$o1" -v s="$secs" 'BEGIN{printf "%.0f", (b-a)/s}')
  mspo=$(awk -v a="$u0" -v b="$u1" -v x="$a0" -v y="$a1" -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" 'BEGIN{if (y>x) printf "%.2f", (b-a)/hz*1000/(y-x); else print "-"}')
  hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
  rate=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN{printf "%.0f", (b-a)/s}')
  cpum=$(awk -v a="$u0" -v b="$u1" -v s="$secs" -v hz="$hz" 'BEGIN{printf "%.1f", (b-a)/hz*60/s}')
  userm=$(awk -v a="$us0" -v b="$us1" -v s="$secs" -v hz="$hz" 'BEGIN{printf "%.1f", (b-a)/hz*60/s}')
  sysm=$(awk -v c="$cpum" -v u="$userm" 'BEGIN{printf "%.1f", c-u}')
  mspc=$(awk -v a="$u0" -v b="$u1" -v x="$c0" -v y="$c1" -v hz="$hz" 'BEGIN{if (y>x) printf "%.2f", (b-a)/hz*1000/(y-x); else print "-"}')
  hwm=$(awk '/VmHWM/{print $2" "$3}' /proc/$C/status)
  rss=$(awk '/VmRSS/{print $2" "$3}' /proc/$C/status)
  kill $L9; t1=$(up)
  while ipvsadm -Ln -t 192.0.2.1:1000 | grep -q '127.1.0.1:9000'; do
    sleep 0.1
    if [ "$(since "$t1" | cut -d. -f1)" -gt 60 ]; then break; fi
  done
  rm_s=$(since "$t1")
  kill -TERM $D; wait $D 2>/dev/null || true
  kill $L; wait $L 2>/dev/null || true
  if [ "$PERF" = 1 ]; then
    echo "PERF $label: CPU by process"
    perf report -q -i /tmp/$label.perf --stdio --no-children --sort comm -g none 2>/dev/null | head -8
    echo "PERF $label: the checker's process, by function (self)"
    perf report -q -i /tmp/$label.perf --stdio --no-children --pid "$C" --sort sym -g none 2>/dev/null | head -30
    echo "PERF $label: the checker's process, by function (with callees)"
    perf report -q -i /tmp/$label.perf --stdio --children --pid "$C" --sort sym -g none 2>/dev/null | head -30
  fi
  LAST_OPENS=$opens
  echo "RESULT $label startup_s=$start checks_per_s=$rate cpu_s_per_min=$cpum user=$userm sys=$sysm ms_per_check=$mspc opens_per_s=$opens ms_per_open=$mspo overflows_per_s=$ovf vmhwm=\"$hwm\" vmrss=\"$rss\" removal_s=$rm_s dests=$n"
}
echo "guest: $(nproc) CPUs, $(awk '/MemTotal/{print $2" "$3}' /proc/meminfo)"
KA_OPENS=
if [ "$SKIP_KA" = 0 ]; then bench keepalived-2.2.7 /vm/bin/keepalived-2.2.7; KA_OPENS=$LAST_OPENS; fi
if [ -x /vm/bin/keepalived-before ]; then bench ours-before /vm/bin/keepalived-before; fi
bench ours /vm/bin/keepalived
if [ "$FLOOR" = 1 ]; then
  for close in "" rst; do floor "${KA_OPENS:-$LAST_OPENS}" $close; floor 0 $close; done
fi
GUEST
extra=()
if [ "$perf" = 1 ]; then extra+=(-b "$(command -v perf):/vm/bin/perf"); fi
if [ -n "$baseline" ]; then cp "$baseline" "$W/keepalived-before"; extra+=(-b "$W/keepalived-before:/vm/bin/keepalived-before"); fi
tests/ipvs_vm/run-in-vm.sh --smp "$smp" --mem "$mem" --timeout 2400 "${extra[@]}" \
  -b "$OURS:/vm/bin/keepalived" -b /usr/sbin/keepalived:/vm/bin/keepalived-2.2.7 \
  -b "$W/bench-listener:/vm/bin/bench-listener" -b "$W/bench-floor:/vm/bin/bench-floor" -f "$W/bench.conf:/vm/bench.conf" \
  -c "WINDOW=$window NRS=$((nvs * 4)) SKIP_KA=$skip_ka PERF=$perf FLOOR=$floor; . /vm/guest.sh" -f "$W/guest.sh:/vm/guest.sh"
