//! Arbitrary bytes as keepalived.conf through `config::load`, in memory: the
//! reader must never panic, hang or blow up memory whatever the input, since
//! a daemon that crashes on a bad reload loses its VIPs (keepalived 2.2.7
//! segfaults on at least one real configuration).

#![no_main]

use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

const MAIN: &str = "/etc/keepalived/keepalived.conf";

fuzz_target!(|data: &[u8]| {
    // Two small files the input may include, so include handling is reached.
    let src = MemSource::new()
        .with(MAIN, data)
        .with(
            "/etc/keepalived/conf.d/a.conf",
            "global_defs {\n router_id a\n}\n",
        )
        .with("/etc/keepalived/conf.d/b.conf", "$B=eth0\n");
    let host = FakeHost::default();
    let mut opts = LoadOptions::default();
    opts.lex.config_id = host.config_id.clone();
    opts.lex.random_seed = Some(1);
    let _ = config::load(MAIN, &src, &host, &opts);
});
