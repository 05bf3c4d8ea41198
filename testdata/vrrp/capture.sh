#!/bin/sh
# Captures the VRRP fixtures in this directory from Debian's keepalived 2.2.7.
#
# Needs root, iproute2, tcpdump, python3 and /usr/sbin/keepalived (2.2.7).
# Topology (TEST-NET addresses only):
#
#   netns kacap                               netns kapeer
#   eth0 02:00:00:00:00:01  <---- veth ---->  p0 02:00:00:00:00:02
#   192.0.2.1/24                              192.0.2.2/24, 192.0.2.3/24
#   fe80::ff:fe00:1 (EUI-64)
#
# keepalived runs in kacap (VRRP process only, -P); tcpdump runs on kacap's eth0
# and sees the adverts as they leave.  Every process started here is stopped by
# the PID recorded when it was started; both namespaces are deleted at the end.
#
# Usage: sh testdata/vrrp/capture.sh   (run from the crate root)
set -eu

OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/kacap.XXXXXX)
KA=/usr/sbin/keepalived

cleanup() {
	ip netns del kacap 2>/dev/null || true
	ip netns del kapeer 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add kacap
ip netns add kapeer
ip -n kacap link add eth0 type veth peer name p0 netns kapeer
ip -n kacap link set eth0 address 02:00:00:00:00:01
ip -n kapeer link set p0 address 02:00:00:00:00:02
ip netns exec kacap sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip netns exec kapeer sysctl -qw net.ipv6.conf.p0.accept_dad=0
ip -n kacap link set lo up
ip -n kapeer link set lo up
ip -n kacap addr add 192.0.2.1/24 dev eth0
ip -n kapeer addr add 192.0.2.2/24 dev p0
ip -n kapeer addr add 192.0.2.3/24 dev p0
ip -n kacap link set eth0 up
ip -n kapeer link set p0 up
sleep 1

# capture NAME COUNT FILTER STOP_AFTER CONFIG
#   Runs keepalived with CONFIG until tcpdump has COUNT packets.  If STOP_AFTER
#   is non-zero, keepalived gets SIGTERM once STOP_AFTER packets have been
#   seen (so the priority-0 adverts it sends while stopping are captured).
capture() {
	name=$1 count=$2 filter=$3 stop_after=$4 conf=$5
	printf '%s\n' "$conf" > "$WORK/$name.conf"
	ip netns exec kacap tcpdump -q -U -n -i eth0 -c "$count" -w "$WORK/$name.pcap" "$filter" 2>/dev/null &
	tcpdump_pid=$!
	sleep 1
	ip netns exec kacap "$KA" -n -l -D -P -f "$WORK/$name.conf" \
		-p "$WORK/$name.ka.pid" -r "$WORK/$name.vrrp.pid" > "$WORK/$name.log" 2>&1 &
	ka_pid=$!
	i=0
	while kill -0 "$tcpdump_pid" 2>/dev/null && [ $i -lt 300 ]; do
		if [ "$stop_after" -ne 0 ] && kill -0 "$ka_pid" 2>/dev/null; then
			n=$(tcpdump -r "$WORK/$name.pcap" 2>/dev/null | wc -l)
			[ "$n" -ge "$stop_after" ] && kill -TERM "$ka_pid"
		fi
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM "$ka_pid" 2>/dev/null || true
	wait "$ka_pid" 2>/dev/null || true
	kill -TERM "$tcpdump_pid" 2>/dev/null || true
	wait "$tcpdump_pid" 2>/dev/null || true
	python3 "$OUT/pcap2hex.py" "$WORK/$name.pcap" "$OUT" "$name" "$WORK/$name.conf" \
		"ip netns exec kacap tcpdump -i eth0 -c $count -w $name.pcap '$filter'" \
		"ip netns exec kacap keepalived -n -l -D -P -f $name.conf$([ "$stop_after" -ne 0 ] && echo "; kill -TERM <keepalived pid> after $stop_after adverts")"
	cp "$WORK/$name.log" "$OUT/$name.log.txt"
}

GLOBAL='global_defs {
    router_id cap
    vrrp_garp_master_delay 0
}'

capture v2_noauth 3 'ip proto 112' 0 "$GLOBAL
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    version 2
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24
    }
}"

capture v2_pass 2 'ip proto 112' 0 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 52
    priority 150
    advert_int 2
    authentication {
        auth_type PASS
        auth_pass s3cr3t
    }
    virtual_ipaddress {
        192.0.2.102/24
    }
}"

capture v2_ah 3 'ip proto 51' 0 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 53
    priority 200
    advert_int 1
    authentication {
        auth_type AH
        auth_pass ahkey
    }
    virtual_ipaddress {
        192.0.2.103/24
        192.0.2.104/24
    }
}"

capture v3_ipv4_mcast 2 'ip proto 112' 0 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 54
    priority 120
    advert_int 0.5
    virtual_ipaddress {
        192.0.2.105/24
        192.0.2.106/24
        192.0.2.107/24
    }
}"

capture v3_ipv4_unicast 4 'ip proto 112' 0 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 55
    priority 100
    advert_int 1
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
        192.0.2.3
    }
    virtual_ipaddress {
        192.0.2.108/24
    }
}"

capture v3_ipv4_unicast_old_chksum 2 'ip proto 112' 0 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 56
    priority 100
    advert_int 1
    old_unicast_checksum
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    virtual_ipaddress {
        192.0.2.109/24
    }
}"

capture v3_ipv6_mcast 2 'ip6 proto 112' 0 "$GLOBAL
vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 57
    priority 100
    advert_int 1
    virtual_ipaddress {
        2001:db8::100/64
        2001:db8::101/64
    }
}"

capture v2_unicast 2 'ip proto 112' 0 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 58
    priority 100
    advert_int 1
    unicast_peer {
        192.0.2.2
    }
    virtual_ipaddress {
        192.0.2.110/24
    }
}"

capture v2_prio0_stop 3 'ip proto 112' 2 "$GLOBAL
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 59
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.111/24
    }
}"
