//! `sys::spawn::stop_scripts`, the checker child's stop for the MISC_CHECK
//! scripts still running: SIGTERM to each run's process group at once,
//! SIGKILL to those still there after the limit (keepalived's
//! `script_killall()` then `child_killed_thread` 1 s later), both
//! awaited; scripts started meanwhile (at a reload) are not touched. Its own test binary: `stop_scripts` ends every script
//! `run_script` is running in the process, so it must not share one with
//! the parallel tests of `tests/scripts.rs`. Root only (scripts in a
//! root-owned directory, as keepalived requires).

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use keepalived::script::{ScriptOutcome, ScriptSpec};
use keepalived::sys::spawn::{run_script, stop_scripts};
use support::procs::group_members;

/// Kills the recorded process groups when the test ends, even by panic.
struct Reaper(Vec<i32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for &pg in &self.0 {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pg),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// Starts `body` as a script under `run_script` (timeout 60 s) on this
/// runtime; waits (bounded) for the pid it writes to `pid_file`. Returns
/// the pid (its process group) and the run, with when it ended.
async fn start(
    dir: &Path,
    name: &str,
    body: &str,
) -> (i32, tokio::task::JoinHandle<(ScriptOutcome, Instant)>) {
    let path = dir.join(name);
    let pid_file = dir.join(format!("{name}.pid"));
    let body = body.replace("PIDFILE", &pid_file.to_string_lossy());
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let spec = ScriptSpec {
        args: vec![path.to_string_lossy().into_owned()],
        uid: 0,
        gid: 0,
        system: false,
    };
    let run = tokio::spawn(async move {
        let out = run_script(&spec, Some(Duration::from_secs(60))).await;
        (out, Instant::now())
    });
    let t0 = Instant::now();
    loop {
        if let Some(pid) = fs::read_to_string(&pid_file)
            .ok()
            .filter(|s| s.ends_with('\n'))
            .and_then(|s| s.trim().parse().ok())
        {
            // The shell and its sleep.
            if group_members(pid).len() >= 2 {
                return (pid, run);
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "{name} did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn running_scripts_are_terminated_then_killed_at_stop() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: scripts in a root-owned directory need root");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let (plain, plain_run) = start(dir.path(), "plain", "echo $$ > PIDFILE\nsleep 30").await;
    let (stubborn, stubborn_run) = start(
        dir.path(),
        "stubborn",
        "trap '' TERM\necho $$ > PIDFILE\nsleep 30",
    )
    .await;
    let _reaper = Reaper(vec![plain, stubborn]);

    let t0 = Instant::now();
    let stop = stop_scripts(Duration::from_secs(1));
    // A script started after the call (a reload goes on checking) is left
    // alone.
    let (late, late_run) = start(dir.path(), "late", "echo $$ > PIDFILE\nsleep 30").await;
    let _late_reaper = Reaper(vec![late]);
    tokio::time::timeout(Duration::from_secs(3), stop)
        .await
        .expect("stop_scripts did not end within 3 s");
    let took = t0.elapsed();
    assert!(
        !group_members(late).is_empty(),
        "the late script was stopped"
    );
    assert!(!late_run.is_finished());
    let (plain_out, plain_end) = plain_run.await.unwrap();
    let (stubborn_out, stubborn_end) = stubborn_run.await.unwrap();
    eprintln!(
        "stop {took:?}; plain ended after {:?}, stubborn after {:?}",
        plain_end - t0,
        stubborn_end - t0
    );
    // SIGTERM at once: the plain script's shell dies of it.
    assert_eq!(plain_out, ScriptOutcome::Signaled(libc::SIGTERM));
    assert!(plain_end - t0 < Duration::from_millis(500));
    // The one ignoring SIGTERM is SIGKILLed after the limit, not before.
    assert_eq!(stubborn_out, ScriptOutcome::Signaled(libc::SIGKILL));
    assert!(stubborn_end - t0 >= Duration::from_millis(950));
    assert!(took < Duration::from_millis(1500), "stop took {took:?}");
    // The whole groups went: the sleeps too.
    assert_eq!(group_members(plain), Vec::<i32>::new());
    assert_eq!(group_members(stubborn), Vec::<i32>::new());

    // Nothing running: the stop returns at once.
    let t0 = Instant::now();
    stop_scripts(Duration::from_secs(1)).await;
    assert!(t0.elapsed() < Duration::from_millis(100));
}
