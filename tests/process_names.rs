//! `process_name`, `vrrp_process_name`, `checker_process_name`,
//! `bfd_process_name` and `process_names` (keepalived 2.2.7's
//! `global_defs`): what the parser keeps, and the names (`/proc/PID/comm`,
//! what `ps` and `top` show) the real daemon's parent and VRRP child take,
//! at start and after a reload (the parent too).
//!
//! The checker child's name is only covered by the pure rules
//! (`ProcessNames::at_start`): the checker needs IPVS, which this machine's
//! kernel lacks outside the VM harness.
//!
//! The daemon tests are root only (they print "SKIPPED" otherwise), run
//! in a throw-away namespace lab, wait with deadlines and kill the daemon's
//! process tree when dropped.

mod support;

use std::fs;
use std::time::Duration;

use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::model::{NamedProcess, ProcessNames};
use keepalived::config::{self, LoadOptions};
use nix::sys::signal::Signal;
use support::lab::{Daemon, Impl, Lab, StartOptions, ok, poll_until, skip};

const QUICK: Duration = Duration::from_secs(10);

fn names_of(global: &str) -> (ProcessNames, Vec<String>) {
    let text = format!(
        "global_defs {{\n{global}}}\nvrrp_instance VI_1 {{\n    interface lo\n    \
         virtual_router_id 51\n    priority 100\n    virtual_ipaddress {{\n        192.0.2.1\n    }}\n}}\n"
    );
    let src = MemSource::new().with("/k.conf", text);
    let l = config::load(
        "/k.conf",
        &src,
        &FakeHost::default(),
        &LoadOptions::default(),
    );
    let msgs = l.diags.iter().map(|d| d.message.clone()).collect();
    (l.config.global.process_names, msgs)
}

#[test]
fn parser_keeps_each_name() {
    let (n, msgs) = names_of(
        "process_name kd_parent\nvrrp_process_name kd_vrrp\n\
         checker_process_name kd_check\nbfd_process_name kd_bfd\n",
    );
    assert_eq!(
        n,
        ProcessNames {
            parent: Some("kd_parent".into()),
            vrrp: Some("kd_vrrp".into()),
            checker: Some("kd_check".into()),
            bfd: Some("kd_bfd".into()),
        },
        "{msgs:?}"
    );
    // The deprecated spelling still sets the checker's name.
    let (n, msgs) = names_of("lvs_process_name kd_lvs\n");
    assert_eq!(n.checker.as_deref(), Some("kd_lvs"));
    assert!(
        msgs.iter()
            .any(|m| m.contains("'lvs_process_name' is deprecated")),
        "{msgs:?}"
    );
}

#[test]
fn process_names_gives_keepalived_s_fixed_names() {
    let (n, _) = names_of("process_names\n");
    assert_eq!(n.parent, None, "process_names leaves the parent alone");
    assert_eq!(n.vrrp.as_deref(), Some("keepalived_vrrp"));
    assert_eq!(n.checker.as_deref(), Some("keepalived_lvs"));
    assert_eq!(n.bfd.as_deref(), Some("keepalived_bfd"));
    // A later keyword overrides one of them.
    let (n, _) = names_of("process_names\nvrrp_process_name mine\n");
    assert_eq!(n.vrrp.as_deref(), Some("mine"));
}

#[test]
fn long_names_are_truncated_to_15_bytes_with_an_error() {
    let (n, msgs) = names_of("vrrp_process_name a_very_long_vrrp_name\n");
    assert_eq!(n.vrrp.as_deref(), Some("a_very_long_vrr"));
    assert!(
        msgs.iter()
            .any(|m| m == "Process name a_very_long_vrrp_name more than 15 characters, truncating"),
        "{msgs:?}"
    );
    // Never inside a multi-byte character.
    assert_eq!(ProcessNames::truncate("ééééééééé"), "ééééééé");
}

#[test]
fn start_and_reload_rules() {
    let parent_only = ProcessNames {
        parent: Some("p".into()),
        ..ProcessNames::default()
    };
    // Forked after the parent renamed itself, keepalived's children carry
    // the parent's name unless they have their own.
    assert_eq!(parent_only.at_start(NamedProcess::Parent), Some("p"));
    assert_eq!(parent_only.at_start(NamedProcess::Vrrp), Some("p"));
    assert_eq!(parent_only.at_start(NamedProcess::Checker), Some("p"));
    let own = ProcessNames {
        checker: Some("c".into()),
        ..parent_only.clone()
    };
    assert_eq!(own.at_start(NamedProcess::Checker), Some("c"));
    assert_eq!(ProcessNames::default().at_start(NamedProcess::Vrrp), None);
    // Reload: only a change of the process's own keyword renames it, and
    // a removed keyword means "keepalived".
    assert_eq!(own.at_reload(&own, NamedProcess::Checker), None);
    assert_eq!(
        own.at_reload(&parent_only, NamedProcess::Checker),
        Some("keepalived")
    );
    assert_eq!(
        parent_only.at_reload(&own, NamedProcess::Checker),
        Some("c")
    );
    assert_eq!(own.at_reload(&own, NamedProcess::Vrrp), None);
}

// ------------------------------------------------------------ the daemon

fn conf(global: &str) -> String {
    format!(
        "global_defs {{\n    router_id names\n{global}}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    \
         virtual_router_id 51\n    priority 100\n    advert_int 1\n    \
         virtual_ipaddress {{\n        192.0.2.200/24 dev eth0\n    }}\n}}\n"
    )
}

fn comm(pid: u32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

/// Starts the daemon with `global` in `global_defs`; returns it once the
/// parent said "Startup complete" (every child has read its configuration,
/// so has named itself), with its one VRRP child.
fn start(lab: &Lab, global: &str) -> (Daemon, u32) {
    let d = ok(lab
        .node(0)
        .start_with(Impl::Ours, &conf(global), &[], &StartOptions::default()));
    ok(d.wait_log("Startup complete", QUICK));
    let mut kid = 0;
    ok(poll_until(
        QUICK,
        "the VRRP child process (exactly one)",
        || {
            let kids = d.children();
            kid = if kids.len() == 1 { kids[0] } else { 0 };
            kid != 0
        },
        || format!("children: {:?}\n{}", d.children(), d.log_tail(20)),
    ));
    (d, kid)
}

fn wait_comm(d: &Daemon, pid: u32, want: &str) {
    ok(poll_until(
        QUICK,
        &format!("process {pid} named {want:?}"),
        || comm(pid) == want,
        || format!("it is {:?}\n{}", comm(pid), d.log_tail(20)),
    ));
}

#[test]
fn parent_and_vrrp_child_take_their_names_and_a_reload_renames_the_child() {
    const T: &str = "parent_and_vrrp_child_take_their_names_and_a_reload_renames_the_child";
    if skip(T) {
        return;
    }
    let lab = ok(Lab::new(1));
    let (d, kid) = start(
        &lab,
        "    process_name kd_parent\n    vrrp_process_name kd_vrrp\n    bfd_process_name kd_bfd\n",
    );
    assert_eq!(comm(d.pid), "kd_parent", "{}", d.log_tail(20));
    assert_eq!(comm(kid), "kd_vrrp", "{}", d.log_tail(20));

    // Reload with a new child name: the same child renames itself.
    fs::write(
        d.dir().join("keepalived.conf"),
        conf("    process_name kd_parent\n    vrrp_process_name kd_vrrp2\n"),
    )
    .unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    wait_comm(&d, kid, "kd_vrrp2");
    assert_eq!(
        comm(d.pid),
        "kd_parent",
        "unchanged: the parent keeps its name"
    );
    // Without its keyword the child is "keepalived" again; the parent
    // (which reads the configuration too) takes its new name.
    fs::write(
        d.dir().join("keepalived.conf"),
        conf("    process_name kd_parent2\n"),
    )
    .unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    wait_comm(&d, kid, "keepalived");
    wait_comm(&d, d.pid, "kd_parent2");
    assert_eq!(d.children(), vec![kid], "the reload kept the child");
}

#[test]
fn process_name_alone_names_the_child_too() {
    if skip("process_name_alone_names_the_child_too") {
        return;
    }
    let lab = ok(Lab::new(1));
    let (d, kid) = start(&lab, "    process_name kd_all\n");
    assert_eq!(comm(d.pid), "kd_all");
    assert_eq!(comm(kid), "kd_all", "{}", d.log_tail(20));
}

#[test]
fn process_names_alone_names_the_child_keepalived_vrrp() {
    if skip("process_names_alone_names_the_child_keepalived_vrrp") {
        return;
    }
    let lab = ok(Lab::new(1));
    let (d, kid) = start(&lab, "    process_names\n");
    // The parent keeps the name of the binary (test builds are named
    // keepalived too).
    assert_eq!(comm(d.pid), "keepalived");
    assert_eq!(comm(kid), "keepalived_vrrp", "{}", d.log_tail(20));
}
