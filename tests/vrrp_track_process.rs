//! `vrrp_track_process` against the real daemon in a one-router lab
//! (tests/support/lab.rs): processes with a name of our own (a copy of
//! `sleep` under a unique name) are started and killed by PID, and the
//! instance's priority and FAULT state follow the quorum, as the log shows;
//! matching by comm and by full command line with parameters.
//!
//! Root only: without root it prints "SKIPPED" and passes. Processes are
//! killed by PID on drop; the daemon handle kills its tree; the lab
//! deletes its namespaces.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::lab::{Impl, Lab, StartOptions, ok, unavailable};

const ELECTION: Duration = Duration::from_secs(10);
/// A /proc rescan runs every second; room for a busy machine.
const RESCAN: Duration = Duration::from_secs(6);

/// A running copy of `sleep 1000`, killed by PID when dropped.
struct Sleeper(Child);

impl Sleeper {
    fn start(bin: &std::path::Path) -> Sleeper {
        let c = Command::new(bin)
            .arg("1000")
            .stdin(Stdio::null())
            .spawn()
            .expect("start the sleeper copy");
        Sleeper(c)
    }

    fn stop(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn priority_and_fault_follow_the_process_quorum() {
    if let Some(why) = unavailable(&[Impl::Ours]) {
        eprintln!("\n*** SKIPPED priority_and_fault_follow_the_process_quorum: {why} ***\n");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    // comm is at most 15 bytes: keep the name short and unique.
    let name = format!("ktp{}", std::process::id());
    let bin = tmp.path().join(&name);
    std::fs::copy("/bin/sleep", &bin).expect("copy /bin/sleep");
    let a = Sleeper::start(&bin);
    let path = bin.display();
    let conf = format!(
        "global_defs {{\n    router_id tp\n}}\n\
         vrrp_track_process TP_ANY {{\n    process {name}\n    weight 0\n}}\n\
         vrrp_track_process TP_TWO {{\n    process {name}\n    quorum 2\n    weight 50\n}}\n\
         vrrp_track_process TP_CMD {{\n    process {path} 1000\n    weight 10\n}}\n\
         vrrp_track_process TP_OTHER {{\n    process {path} 999\n    weight 7\n}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    \
         virtual_router_id 51\n    priority 100\n    advert_int 1\n    \
         track_process {{\n        TP_ANY\n        TP_TWO\n        TP_CMD\n        TP_OTHER\n    }}\n    \
         virtual_ipaddress {{\n        192.0.2.200/24 dev eth0\n    }}\n}}\n"
    );
    let lab = ok(Lab::new(1));
    let d = ok(lab
        .node(0)
        .start_with(Impl::Ours, &conf, &[], &StartOptions::default()));
    ok(d.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    assert_eq!(
        d.log_count("(VI_1) Entering FAULT STATE"),
        0,
        "one process meets TP_ANY's quorum:\n{}",
        d.log_tail(30)
    );
    // A second process: TP_TWO's quorum of 2 is met, +50. The base is
    // 110: TP_CMD (full command line `PATH 1000`) counts, +10, and
    // TP_OTHER (`PATH 999`) does not.
    let b = Sleeper::start(&bin);
    ok(d.wait_log("Quorum gained for tracked process TP_TWO", RESCAN));
    ok(d.wait_log("(VI_1) Changing effective priority from 110 to 160", RESCAN));
    assert_eq!(
        d.log_count("tracked process TP_OTHER"),
        0,
        "{}",
        d.log_tail(30)
    );
    // Both gone: TP_ANY (weight 0) lost → FAULT.
    a.stop();
    b.stop();
    ok(d.wait_log("Quorum lost for tracked process TP_ANY", RESCAN));
    ok(d.wait_log("(VI_1) Entering FAULT STATE", RESCAN));
    // Logged in the same scan, after TP_ANY's status moved the instance.
    ok(d.wait_log("Quorum lost for tracked process TP_TWO", RESCAN));
    assert_eq!(d.log_count("Quorum lost for tracked process TP_TWO"), 1);
    // One back: out of FAULT.
    let _c = Sleeper::start(&bin);
    ok(d.wait_log("Quorum gained for tracked process TP_ANY", RESCAN));
    ok(d.wait_log("(VI_1) Entering BACKUP STATE", RESCAN));
}
