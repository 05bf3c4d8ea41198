//! Pid files and their OFD lock across real processes: a second daemon is
//! refused while the first lives, and a SIGKILLed daemon's file is taken over.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use keepalived::daemon::pidfile::{PidFile, PidFileError};

const ROLE: &str = "KA_PIDFILE_TEST_PATH";

/// Child: lock the pid file named by the env, say "locked", hold it until
/// stdin closes (or until killed).
#[test]
fn child_holder() {
    let Some(path) = std::env::var_os(ROLE) else {
        return;
    };
    // Never outlive a confused parent by more than a minute.
    std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_secs(60));
        std::process::exit(3);
    });
    let pf = PidFile::create(&path).unwrap();
    // The harness may have printed "test child_holder ... " on this line.
    println!("locked");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    drop(pf);
}

/// A holder process; killed and reaped on drop even if the test panics.
/// Keeps the child's stdout open: its harness still reports after we read.
struct Holder {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Holder {
    fn start(path: &Path) -> Holder {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_holder", "--nocapture", "--test-threads=1"])
            .env(ROLE, path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // Bounded: the child either prints "locked" or exits (EOF).
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            if out.read_line(&mut line).unwrap() == 0 {
                let _ = child.kill();
                panic!("holder exited before locking");
            }
            if line.trim_end().ends_with("locked") {
                break;
            }
        }
        Holder {
            child,
            _stdout: out,
        }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn contents(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn second_daemon_refused_while_first_lives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keepalived.pid");
    let mut holder = Holder::start(&path);
    assert_eq!(contents(&path), format!("{}\n", holder.child.id()));
    let err = PidFile::create(&path).unwrap_err();
    assert!(matches!(err, PidFileError::AlreadyRunning { .. }));
    assert_eq!(err.to_string(), "daemon is already running");
    // The refused attempt must not have touched the holder's file.
    assert_eq!(contents(&path), format!("{}\n", holder.child.id()));

    // A clean stop removes the file; then we can start.
    drop(holder.child.stdin.take());
    assert!(holder.child.wait().unwrap().success());
    assert!(!path.exists());
    let pf = PidFile::create(&path).unwrap();
    assert_eq!(contents(&path), format!("{}\n", std::process::id()));
    drop(pf);
    assert!(!path.exists());
}

#[test]
fn sigkilled_daemons_file_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vrrp.pid");
    let mut holder = Holder::start(&path);
    holder.child.kill().unwrap();
    holder.child.wait().unwrap();
    // SIGKILL leaves the file behind, with the dead pid in it.
    assert_eq!(contents(&path), format!("{}\n", holder.child.id()));
    let pf = PidFile::create(&path).unwrap();
    assert_eq!(contents(&path), format!("{}\n", std::process::id()));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    drop(pf);
}

#[test]
fn two_opens_in_one_process_conflict() {
    // OFD locks belong to the open file description, not the process, so
    // even the same process is refused a second lock.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkers.pid");
    let first = PidFile::create(&path).unwrap();
    assert!(matches!(
        PidFile::create(&path),
        Err(PidFileError::AlreadyRunning { .. })
    ));
    drop(first);
    assert!(!path.exists());
    let _again = PidFile::create(&path).unwrap();
}

#[test]
fn stale_longer_contents_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bfd.pid");
    std::fs::write(&path, "123456789\ngarbage\n").unwrap();
    let mut pf = PidFile::lock(&path).unwrap();
    assert_eq!(contents(&path), "");
    pf.write_pid(77).unwrap();
    assert_eq!(contents(&path), "77\n");
    pf.write_pid(5).unwrap();
    assert_eq!(contents(&path), "5\n");
}

#[test]
fn drop_leaves_a_replaced_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keepalived.pid");
    let pf = PidFile::create(&path).unwrap();
    // Someone removed ours and another daemon wrote its own.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "999\n").unwrap();
    drop(pf);
    assert_eq!(contents(&path), "999\n");
}

#[test]
fn symlinks_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    let link = dir.path().join("link.pid");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(matches!(
        PidFile::create(&link),
        Err(PidFileError::Io { .. })
    ));
    assert!(!target.exists());
}
