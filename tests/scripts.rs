//! Running real scripts through `sys::spawn`: exit statuses, exec failures,
//! the process-group kill on timeout, credentials, literal arguments and
//! the parent-death signal. Root only (credentials, and scripts in a
//! root-owned directory as keepalived requires).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use keepalived::script::{ScriptOutcome, ScriptSpec};
use keepalived::sys::spawn::{run_script, spawn_notify, spawn_notify_limited};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User};
use tempfile::TempDir;

fn is_root() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    eprintln!("SKIPPED: running scripts as other users needs root");
    false
}

/// A root-owned directory (0755) holding the test's scripts.
fn script_dir() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn write_script(dir: &Path, name: &str, body: &str, mode: u32) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    path
}

fn spec(path: &Path, args: &[&str]) -> ScriptSpec {
    let mut all = vec![path.to_string_lossy().into_owned()];
    all.extend(args.iter().map(|a| a.to_string()));
    ScriptSpec {
        args: all,
        uid: 0,
        gid: 0,
        system: false,
    }
}

/// Kills the recorded processes when the test ends, even by panic.
struct Reaper(Vec<i32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for &pid in &self.0 {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// Whether `pid` is alive: exists and is not a zombie.
fn alive(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

fn wait_until(deadline: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_pid(path: &Path) -> i32 {
    assert!(
        wait_until(Duration::from_secs(5), || fs::read_to_string(path)
            .is_ok_and(|s| s.ends_with('\n'))),
        "{} never written",
        path.display()
    );
    fs::read_to_string(path).unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn exit_statuses_are_reported() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let ok = write_script(dir.path(), "ok.sh", "exit 0", 0o755);
    let fail = write_script(dir.path(), "fail.sh", "exit 1", 0o755);
    let killed = write_script(dir.path(), "killed.sh", "kill -9 $$", 0o755);
    assert_eq!(
        run_script(&spec(&ok, &[]), None).await,
        ScriptOutcome::Exited(0)
    );
    assert_eq!(
        run_script(&spec(&fail, &[]), Some(Duration::from_secs(5))).await,
        ScriptOutcome::Exited(1)
    );
    assert_eq!(
        run_script(&spec(&killed, &[]), None).await,
        ScriptOutcome::Signaled(9)
    );
}

#[tokio::test]
async fn not_executable_and_missing_scripts_fail_to_spawn() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let noexec = write_script(dir.path(), "noexec.sh", "exit 0", 0o644);
    // Root may read a 0644 file but not exec it: EACCES (the shell's 126).
    match run_script(&spec(&noexec, &[]), None).await {
        ScriptOutcome::SpawnFailed(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
            assert_eq!(e.errno, libc::EACCES);
        }
        other => panic!("expected SpawnFailed, got {other:?}"),
    }
    // Missing: ENOENT (the shell's 127).
    match run_script(&spec(&dir.path().join("missing.sh"), &[]), None).await {
        ScriptOutcome::SpawnFailed(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
        other => panic!("expected SpawnFailed, got {other:?}"),
    }
    // A bare name is not searched in PATH (keepalived uses execve).
    let bare = ScriptSpec {
        args: vec!["true".into()],
        uid: 0,
        gid: 0,
        system: false,
    };
    assert!(matches!(
        run_script(&bare, None).await,
        ScriptOutcome::SpawnFailed(_)
    ));
}

#[tokio::test]
async fn timeout_kills_the_whole_process_group() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let body = format!(
        "sleep 100 &\necho $! > {d}/child.pid\necho $$ > {d}/leader.pid\nwait",
        d = dir.path().display()
    );
    let hang = write_script(dir.path(), "hang.sh", &body, 0o755);
    let start = Instant::now();
    let outcome = run_script(&spec(&hang, &[]), Some(Duration::from_millis(500))).await;
    let elapsed = start.elapsed();
    let leader = read_pid(&dir.path().join("leader.pid"));
    let child = read_pid(&dir.path().join("child.pid"));
    let _reaper = Reaper(vec![leader, child]);
    assert_eq!(outcome, ScriptOutcome::TimedOut);
    // SIGTERM at the deadline suffices here: well before the SIGKILL phase.
    assert!(elapsed < Duration::from_millis(2000), "took {elapsed:?}");
    assert!(!alive(leader), "script {leader} still running");
    assert!(
        wait_until(Duration::from_secs(2), || !alive(child)),
        "its child {child} survived"
    );
}

#[tokio::test]
async fn a_script_ignoring_sigterm_is_sigkilled_two_seconds_later() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let body = format!(
        "trap '' TERM\nsleep 100 &\necho $! > {d}/child.pid\nwait",
        d = dir.path().display()
    );
    let stubborn = write_script(dir.path(), "stubborn.sh", &body, 0o755);
    let start = Instant::now();
    let outcome = run_script(&spec(&stubborn, &[]), Some(Duration::from_millis(300))).await;
    let elapsed = start.elapsed();
    let child = read_pid(&dir.path().join("child.pid"));
    let _reaper = Reaper(vec![child]);
    assert_eq!(outcome, ScriptOutcome::TimedOut);
    assert!(
        elapsed >= Duration::from_millis(2300) && elapsed < Duration::from_millis(4000),
        "took {elapsed:?}"
    );
    assert!(wait_until(Duration::from_secs(2), || !alive(child)));
}

#[tokio::test]
async fn a_script_catching_sigterm_reports_its_exit_status() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let body = "trap 'exit 3' TERM\nsleep 100 &\nwait";
    let catcher = write_script(dir.path(), "catch.sh", body, 0o755);
    let outcome = run_script(&spec(&catcher, &[]), Some(Duration::from_millis(300))).await;
    assert_eq!(outcome, ScriptOutcome::Exited(3));
}

#[tokio::test]
async fn runs_as_the_requested_user_with_only_its_group() {
    if !is_root() {
        return;
    }
    let Some(nobody) = User::from_name("nobody").unwrap() else {
        eprintln!("SKIPPED: no user nobody");
        return;
    };
    let dir = script_dir();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o777)).unwrap();
    let body = format!(
        "echo \"$(id -u) $(id -g) $(id -G) $(cut -d' ' -f5 /proc/$$/stat) $$\" > {}/id",
        out.display()
    );
    let who = write_script(dir.path(), "who.sh", &body, 0o755);
    let mut s = spec(&who, &[]);
    s.uid = nobody.uid.as_raw();
    s.gid = nobody.gid.as_raw();
    assert_eq!(run_script(&s, None).await, ScriptOutcome::Exited(0));
    let id = fs::read_to_string(out.join("id")).unwrap();
    let words: Vec<&str> = id.split_whitespace().collect();
    let (u, g) = (s.uid.to_string(), s.gid.to_string());
    assert_eq!(words[..3], [u.as_str(), g.as_str(), g.as_str()], "{id}");
    // Own process group: the script leads it.
    assert_eq!(words[3], words[4], "{id}");
}

#[tokio::test]
async fn arguments_arrive_literally_and_stdio_is_dev_null() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let body = format!(
        "for a in \"$@\"; do echo \"[$a]\"; done > {d}/args\n\
         fds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2)\n\
         echo \"$fds\" > {d}/fds\n\
         echo \"${{LD_PRELOAD-unset}}\" > {d}/env",
        d = dir.path().display()
    );
    let echo = write_script(dir.path(), "args.sh", &body, 0o755);
    let s = spec(&echo, &["$HOME", "a b", "'q'", "*"]);
    assert_eq!(run_script(&s, None).await, ScriptOutcome::Exited(0));
    assert_eq!(
        fs::read_to_string(dir.path().join("args")).unwrap(),
        "[$HOME]\n[a b]\n['q']\n[*]\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("fds")).unwrap(),
        "/dev/null\n/dev/null\n/dev/null\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("env")).unwrap(),
        "unset\n"
    );
}

#[tokio::test]
async fn system_commands_test_files_through_the_shell() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let exists = dir.path().join("exists");
    fs::write(&exists, "").unwrap();
    let s = |p: &Path| ScriptSpec {
        args: vec![format!("<{}", p.display())],
        uid: 0,
        gid: 0,
        system: true,
    };
    assert_eq!(
        run_script(&s(&exists), None).await,
        ScriptOutcome::Exited(0)
    );
    // The shell's "cannot open" is status 1 (2 for dash): a failure.
    let missing = run_script(&s(&dir.path().join("nope")), None).await;
    assert!(
        matches!(missing, ScriptOutcome::Exited(c) if c != 0),
        "{missing:?}"
    );
}

#[tokio::test]
async fn notify_scripts_get_extra_words_and_stop_ones_are_killed_after_the_limit() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let body = format!("echo \"$*\" > {}/notified", dir.path().display());
    let notify = write_script(dir.path(), "notify.sh", &body, 0o755);
    let extra: Vec<String> = ["INSTANCE", "VI_1", "MASTER", "100"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let handle = spawn_notify(&spec(&notify, &["x"]), &extra).unwrap();
    assert_eq!(handle.await.unwrap(), ScriptOutcome::Exited(0));
    assert_eq!(
        fs::read_to_string(dir.path().join("notified")).unwrap(),
        "x INSTANCE VI_1 MASTER 100\n"
    );

    let body = format!(
        "trap '' TERM\nsleep 100 &\necho $! > {}/child.pid\nwait",
        dir.path().display()
    );
    let slow = write_script(dir.path(), "slow.sh", &body, 0o755);
    let start = Instant::now();
    let handle = spawn_notify_limited(&spec(&slow, &[]), &[], Duration::from_millis(300)).unwrap();
    let outcome = handle.await.unwrap();
    let child = read_pid(&dir.path().join("child.pid"));
    let _reaper = Reaper(vec![child]);
    assert_eq!(outcome, ScriptOutcome::TimedOut);
    assert!(start.elapsed() < Duration::from_millis(1500));
    assert!(wait_until(Duration::from_secs(2), || !alive(child)));
}

#[test]
fn scripts_die_with_the_thread_that_started_them() {
    if !is_root() {
        return;
    }
    let dir = script_dir();
    let pid_file = dir.path().join("pid");
    let body = format!("echo $$ > {}\nexec sleep 100", pid_file.display());
    let sleeper = write_script(dir.path(), "sleeper.sh", &body, 0o755);
    let s = spec(&sleeper, &[]);
    let file = pid_file.clone();
    // The spawning thread waits for the script to be running, then ends.
    let pid = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            drop(spawn_notify(&s, &[]).unwrap());
        });
        read_pid(&file)
    })
    .join()
    .unwrap();
    let _reaper = Reaper(vec![pid]);
    assert!(
        wait_until(Duration::from_secs(5), || !alive(pid)),
        "PDEATHSIG did not stop {pid}"
    );
    // Reap it if nobody else did.
    let _ = nix::sys::wait::waitpid(
        Pid::from_raw(pid),
        Some(nix::sys::wait::WaitPidFlag::WNOHANG),
    );
}
