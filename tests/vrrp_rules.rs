//! `static_rules` and `virtual_rules` against the real daemon in a
//! one-router network-namespace lab (tests/support/lab.rs): the rules
//! appear in the namespace's `ip rule` / `ip -6 rule` tables while the node
//! is master, and are gone after SIGTERM; after a SIGKILL of the whole
//! daemon, the next start removes the rules the dead one left (the
//! `<pid>.vips` record).
//!
//! Root only: without root every test prints "SKIPPED" and passes. Each
//! daemon handle SIGKILLs its process tree when dropped and the lab deletes
//! its namespaces.

mod support;

use nix::sys::signal::Signal;
use std::process::Command;
use std::time::Duration;
use support::lab::{Impl, Lab, StartOptions, ok, skip};

const ELECTION: Duration = Duration::from_secs(10);
const QUICK: Duration = Duration::from_secs(5);

/// The rules of the namespace, IPv4 then IPv6, as `ip rule show` prints.
fn rules(ns: &str) -> String {
    let mut out = String::new();
    for fam in ["-4", "-6"] {
        let o = Command::new("ip")
            .args(["-n", ns, fam, "rule", "show"])
            .output()
            .expect("ip rule show");
        assert!(o.status.success(), "ip {fam} rule show failed");
        out.push_str(&String::from_utf8_lossy(&o.stdout));
    }
    out
}

/// The line of preference `pref`, if any.
fn rule_line(all: &str, pref: u32) -> Option<String> {
    all.lines()
        .find(|l| l.starts_with(&format!("{pref}:")))
        .map(str::to_owned)
}

/// (preference, words the `ip rule` line must contain).
const STATIC: &[(u32, &[&str])] = &[
    (
        100,
        &["from 198.51.100.0/24", "lookup 100", "proto keepalived"],
    ),
    (
        101,
        &["to 198.51.100.128/25", "fwmark 0x10/0xff", "lookup 101"],
    ),
    (102, &["from 2001:db8:1::/48", "lookup 102"]),
    (103, &["l3mdev-table"]),
];
const VIRTUAL: &[(u32, &[&str])] = &[
    (200, &["from 192.0.2.200", "lookup 200", "proto keepalived"]),
    (
        201,
        &[
            "iif eth0",
            "ipproto tcp",
            "dport 80-81",
            "uidrange 1000-2000",
            "lookup 201",
        ],
    ),
    (202, &["to 2001:db8::200", "lookup 202"]),
    (203, &["not from 192.0.2.0/24", "prohibit"]),
];

fn conf(with_rules: bool) -> String {
    let (statics, virtuals) = if with_rules {
        (
            "static_rules {\n    from 198.51.100.0/24 table 100 preference 100\n    \
             to 198.51.100.128/25 fwmark 0x10/0xff table 101 preference 101\n    \
             from 2001:db8:1::/48 table 102 preference 102\n    \
             inet6 inet6 l3mdev preference 103\n}\n",
            "    virtual_rules {\n        from 192.0.2.200 table 200 preference 200\n        \
             iif eth0 ipproto tcp dport 80-81 uidrange 1000-2000 table 201 preference 201\n        \
             to 2001:db8::200 table 202 preference 202\n        \
             not from 192.0.2.0/24 prohibit preference 203\n    }\n",
        )
    } else {
        ("", "")
    };
    format!(
        "global_defs {{\n    router_id rules\n}}\n{statics}\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    \
         virtual_router_id 51\n    priority 150\n    advert_int 1\n    \
         virtual_ipaddress {{\n        192.0.2.200/24 dev eth0\n    }}\n{virtuals}}}\n"
    )
}

fn wait_rules(ns: &str, want: &[(u32, &[&str])], present: bool) -> Result<(), String> {
    ok(support::lab::poll_until(
        QUICK,
        &format!(
            "rules {:?} present={present}",
            want.iter().map(|w| w.0).collect::<Vec<_>>()
        ),
        || {
            let all = rules(ns);
            want.iter()
                .all(|(p, _)| rule_line(&all, *p).is_some() == present)
        },
        || rules(ns),
    ));
    if !present {
        return Ok(());
    }
    let all = rules(ns);
    for (p, words) in want {
        let line = rule_line(&all, *p).expect("present");
        for w in *words {
            if !line.contains(w) {
                return Err(format!("rule {p}: '{w}' missing in '{line}'\n{all}"));
            }
        }
    }
    Ok(())
}

#[test]
fn virtual_and_static_rules_follow_master_and_sigterm() {
    if skip("virtual_and_static_rules_follow_master_and_sigterm") {
        return;
    }
    let lab = ok(Lab::new(1));
    let ns = lab.node(0).ns.clone();
    let mut d = ok(lab
        .node(0)
        .start_with(Impl::Ours, &conf(true), &[], &StartOptions::default()));
    // The static rules come at start, before any election.
    ok(wait_rules(&ns, STATIC, true));
    assert!(
        VIRTUAL
            .iter()
            .all(|(p, _)| rule_line(&rules(&ns), *p).is_none()),
        "virtual rules before MASTER:\n{}",
        rules(&ns)
    );
    ok(d.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    ok(wait_rules(&ns, VIRTUAL, true));
    ok(wait_rules(&ns, STATIC, true));
    d.signal(Signal::SIGTERM).unwrap();
    assert_eq!(ok(d.wait_exit(QUICK)), 0, "{}", d.log_tail(20));
    let all = rules(&ns);
    for (p, _) in STATIC.iter().chain(VIRTUAL) {
        assert!(rule_line(&all, *p).is_none(), "rule {p} left:\n{all}");
    }
}

/// SIGKILL leaves the rules; the next daemon (same pid files, a
/// configuration without rules) removes them at start.
#[test]
fn leftover_rules_removed_at_next_start() {
    if skip("leftover_rules_removed_at_next_start") {
        return;
    }
    let lab = ok(Lab::new(1));
    let ns = lab.node(0).ns.clone();
    let mut d = ok(lab
        .node(0)
        .start_with(Impl::Ours, &conf(true), &[], &StartOptions::default()));
    ok(d.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    ok(wait_rules(&ns, VIRTUAL, true));
    d.kill_all_sigkill();
    ok(wait_rules(&ns, STATIC, true));
    ok(wait_rules(&ns, VIRTUAL, true));
    let opts = StartOptions {
        pid_dir: Some(d.dir().to_path_buf()),
        ..StartOptions::default()
    };
    let d2 = ok(lab.node(0).start_with(Impl::Ours, &conf(false), &[], &opts));
    ok(d2.wait_log("Removed leftover rule", QUICK));
    ok(wait_rules(&ns, STATIC, false));
    ok(wait_rules(&ns, VIRTUAL, false));
    drop(d);
}

/// `/etc/netns/NS/iproute2`, which `ip netns exec NS` binds over
/// `/etc/iproute2` for the daemon it starts; removed on drop.
struct Iproute2Overlay(std::path::PathBuf);

impl Iproute2Overlay {
    fn new(ns: &str, files: &[(&str, &str)]) -> Iproute2Overlay {
        let dir = std::path::Path::new("/etc/netns").join(ns);
        std::fs::create_dir_all(dir.join("iproute2")).expect("overlay dir");
        for (name, text) in files {
            std::fs::write(dir.join("iproute2").join(name), text).expect("overlay file");
        }
        Iproute2Overlay(dir)
    }
}

impl Drop for Iproute2Overlay {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Table, realm and dsfield names from iproute2's files (as `ip` and
/// keepalived read them) in `virtual_rules` and `virtual_routes`: the
/// daemon installs them with the numbers the files give.
#[test]
fn iproute2_names_in_rules_and_routes() {
    if skip("iproute2_names_in_rules_and_routes") {
        return;
    }
    let lab = ok(Lab::new(1));
    let ns = lab.node(0).ns.clone();
    let _overlay = Iproute2Overlay::new(
        &ns,
        &[
            ("rt_tables", "255 local\n254 main\n253 default\n150 vips\n"),
            ("rt_realms", "0 cosmos\n7 edge\n"),
            ("rt_dsfield", "0x10 lowdelay\n"),
        ],
    );
    let conf = "global_defs {\n    router_id names\n}\n\
         vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    \
         virtual_router_id 51\n    priority 150\n    advert_int 1\n    \
         virtual_ipaddress {\n        192.0.2.200/24 dev eth0\n    }\n    \
         virtual_rules {\n        from 192.0.2.200 tos lowdelay realms edge table vips preference 300\n    }\n    \
         virtual_routes {\n        198.51.100.0/26 dev eth0 table vips\n    }\n}\n";
    let d = ok(lab
        .node(0)
        .start_with(Impl::Ours, conf, &[], &StartOptions::default()));
    ok(d.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    ok(wait_rules(
        &ns,
        // `ip -n NS` reads the same overlay, so it prints the names back.
        &[(
            300,
            &[
                "from 192.0.2.200",
                "tos lowdelay",
                "lookup vips",
                "realms edge",
            ],
        )],
        true,
    ));
    let routes = || {
        Command::new("ip")
            .args(["-n", &ns, "route", "show", "table", "150"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    ok(support::lab::poll_until(
        QUICK,
        "route in table 150",
        || routes().contains("198.51.100.0/26"),
        || format!("{}\n{}", routes(), d.log_tail(20)),
    ));
}
