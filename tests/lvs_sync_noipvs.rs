//! `lvs_sync_daemon IF VRRP_INSTANCE` on a kernel without IPVS (the build
//! host's): our VRRP child logs keepalived's "Can't initialize ipvs" line
//! once and goes on doing VRRP (the instance still takes its VIP and stops
//! cleanly). keepalived 2.2.7 instead stops its VRRP process as FATAL
//! there; we deliberately keep VRRP working (see `vrrp_child::syncd`).
//! The IPVS behaviour itself is tested in `lvs_sync_vm.rs`.

mod support;

use std::time::Duration;

use support::lab::{Impl, Lab, ok, skip};

const CONF: &str = "
global_defs {
    router_id noipvs
    lvs_sync_daemon eth0 VI_1 id 7
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.61/32
    }
}
";

#[test]
fn vrrp_works_without_ipvs() {
    if skip("vrrp_works_without_ipvs") {
        return;
    }
    if std::path::Path::new("/proc/net/ip_vs").exists() {
        eprintln!("SKIPPED: vrrp_works_without_ipvs: this kernel has IPVS");
        return;
    }
    let lab = Lab::new(1).unwrap_or_else(|e| panic!("building the lab: {e}"));
    let mut d = ok(lab.node(0).start(Impl::Ours, CONF, &["-P"]));
    let took = lab
        .wait_addr(0, "192.0.2.61", true, Duration::from_secs(15))
        .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    eprintln!("MASTER without IPVS after {took:.1?}");
    assert!(d.running(), "daemon died:\n{}", d.log());
    assert_eq!(
        d.log_count("IPVS: Can't initialize ipvs: Protocol not available"),
        1,
        "logged once:\n{}",
        d.log()
    );
    assert_eq!(d.log_count("IPVS cmd"), 0, "{}", d.log());
}
