#!/usr/bin/env python3
"""Turn a tcpdump pcap of VRRP adverts into hex fixtures (one file per packet).

usage: pcap2hex.py PCAP OUTDIR NAME CONFIG TCPDUMP_CMD KEEPALIVED_CMD

Each packet is written to OUTDIR/NAME.N.hex (N from 1) as the IP packet
(Ethernet header stripped, trailing Ethernet padding kept if any), 16 bytes a
line, preceded by '#' comment lines giving the config and the commands.
"""
import struct
import sys

pcap, outdir, name, conf, tcpdump_cmd, ka_cmd = sys.argv[1:7]
data = open(pcap, "rb").read()
magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
assert magic == 0xA1B2C3D4, "expected a little-endian microsecond pcap"
assert linktype == 1, "expected Ethernet link type"
config = open(conf).read().rstrip("\n").splitlines()
off, n = 24, 0
while off < len(data):
    _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    n += 1
    pkt = frame[14:]
    with open(f"{outdir}/{name}.{n}.hex", "w") as f:
        f.write(f"# {name} packet {n}: captured from Debian keepalived 2.2.7"
                " (Keepalived v2.2.7 (01/16,2022))\n")
        f.write("# by testdata/vrrp/capture.sh (netns kacap, eth0 192.0.2.1,"
                " MAC 02:00:00:00:00:01)\n")
        f.write(f"# capture:    {tcpdump_cmd}\n")
        f.write(f"# keepalived: {ka_cmd}\n")
        f.write(f"# Ethernet header stripped; {len(pkt)} bytes of"
                f" {'IPv6' if pkt[0] >> 4 == 6 else 'IPv4'} packet follow.\n")
        f.write("# config:\n")
        for line in config:
            f.write(f"#   {line}\n")
        for i in range(0, len(pkt), 16):
            f.write(" ".join(f"{b:02x}" for b in pkt[i:i + 16]) + "\n")
print(f"{name}: {n} packets")
