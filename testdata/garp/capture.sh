#!/bin/sh
# usage: cap.sh FORWARDING(0|1) OUTPCAP
set -e
ip netns add nlcapA; ip netns add nlcapB
trap 'ip netns del nlcapA; ip netns del nlcapB' EXIT
ip -n nlcapA link add veth0 address 02:00:5e:10:00:01 type veth peer name veth1 netns nlcapB
ip -n nlcapA link set veth0 up; ip -n nlcapB link set veth1 up; ip -n nlcapA link set lo up
ip -n nlcapA addr add 192.0.2.1/24 dev veth0
ip netns exec nlcapA sysctl -qw net.ipv6.conf.veth0.forwarding=$1
sleep 2
ip netns exec nlcapB tcpdump -i veth1 -w $2 -U 'arp or icmp6' >/dev/null 2>&1 & TP=$!
sleep 1
ip netns exec nlcapA /usr/sbin/keepalived -n -l -D --vrrp -f /tmp/nl-cap/ka.conf -p /tmp/nl-cap/ka.pid -r /tmp/nl-cap/vrrp.pid > /tmp/nl-cap/ka.log 2>&1 & KP=$!
sleep 4
kill $KP; sleep 1; kill $TP; wait $TP || true
