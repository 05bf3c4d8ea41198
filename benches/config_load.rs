//! Criterion benchmarks of reading a configuration (`keepalived -t` minus
//! process start-up): the shipped LVS example, and a generated file of the
//! benchmark's shape (VRRP instances plus virtual servers with four
//! TCP_CHECK real servers each), read from memory so disk speed is out of it.
//! The whole-process comparison with keepalived 2.2.7 is
//! `scripts/bench-config.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::{LoadOptions, load};

fn generated(instances: u32, servers: u32) -> String {
    let mut s = String::from("global_defs {\n    router_id bench\n}\n");
    for vrid in 1..=instances {
        s += &format!(
            "vrrp_instance VI_{vrid} {{\n    state BACKUP\n    interface eth0\n    virtual_router_id {}\n    priority 100\n    advert_int 1\n    virtual_ipaddress {{\n        198.51.100.{}/24\n    }}\n}}\n",
            vrid % 255 + 1,
            vrid % 254 + 1
        );
    }
    for i in 0..servers {
        let (host, port) = (1 + i / 1000, 1000 + i % 1000);
        s += &format!(
            "virtual_server 192.0.2.{host} {port} {{\n    delay_loop 6\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        );
        for rs in 1..=4 {
            s += &format!(
                "    real_server 198.51.100.{rs} {port} {{\n        weight 1\n        TCP_CHECK {{\n            connect_timeout 3\n        }}\n    }}\n"
            );
        }
        s += "}\n";
    }
    s
}

fn bench(c: &mut Criterion) {
    let opts = LoadOptions {
        config_test: true,
        ..Default::default()
    };
    let host = FakeHost::default();
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/lvs-dr.conf"))
            .expect("examples/lvs-dr.conf");
    let mut g = c.benchmark_group("config_load");
    for (name, text) in [
        ("lvs-dr example", example),
        ("50 instances + 1000 virtual servers", generated(50, 1000)),
    ] {
        let src = MemSource::new().with("/k.conf", &text);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| load("/k.conf", &src, &host, &opts)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
