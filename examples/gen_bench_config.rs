//! Writes the configuration used to benchmark `keepalived -t` to stdout:
//! 500 `vrrp_instance`s (VRIDs 1..250 on each of eth0 and eth1) and 10,000
//! `virtual_server`s with 4 TCP_CHECK real servers each. Clean for keepalived
//! 2.2.7 in a namespace that has eth0 and eth1, so both implementations do
//! the full amount of work instead of stopping at an error.
//!
//! `cargo run --release --example gen_bench_config > bench.conf`

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "# Benchmark configuration: 500 VRRP instances, 10000 virtual servers x 4 real servers."
    )?;
    writeln!(out, "global_defs {{\n    router_id bench\n}}\n")?;
    for (ifname, net) in [("eth0", "198.51.100"), ("eth1", "203.0.113")] {
        for vrid in 1..=250 {
            writeln!(
                out,
                "vrrp_instance VI_{ifname}_{vrid} {{
    state BACKUP
    interface {ifname}
    virtual_router_id {vrid}
    priority 100
    advert_int 1
    virtual_ipaddress {{
        {net}.{vrid}/24
    }}
}}
"
            )?;
        }
    }
    for i in 0..10_000u32 {
        let (host, port) = (1 + i / 1000, 1000 + i % 1000);
        writeln!(
            out,
            "virtual_server 192.0.2.{host} {port} {{
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    protocol TCP"
        )?;
        for rs in 1..=4 {
            writeln!(
                out,
                "    real_server 198.51.100.{rs} {port} {{
        weight 1
        TCP_CHECK {{
            connect_timeout 3
        }}
    }}"
            )?;
        }
        writeln!(out, "}}\n")?;
    }
    out.flush()
}
