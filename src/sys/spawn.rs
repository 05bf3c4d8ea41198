//! Running scripts the way keepalived's `system_call_script()` does, on
//! tokio: no shell, the script's own uid/gid (supplementary groups reduced to
//! that gid), its own process group, PR_SET_PDEATHSIG=SIGTERM, stdin/stdout/
//! stderr on /dev/null, and the daemon's environment minus `IFS`,
//! `LD_PRELOAD` and `LD_LIBRARY_PATH` (as keepalived ≥ 2.3 does; 2.2.7
//! passed them on).
//!
//! Timeouts follow keepalived's `vrrp_script_child_thread()`: SIGTERM to the
//! whole process group, 2 s later SIGKILL to the group, then SIGKILL again
//! every 2 s and then every 10 s until the child is reaped. Every child is
//! always awaited, so none is left a zombie.
//!
//! PDEATHSIG fires when the *thread* that spawned the child exits: spawn
//! from the runtime's own thread (a current_thread runtime, as the daemon
//! uses), not from a short-lived blocking-pool thread.
#![allow(unsafe_code)]

use std::collections::BTreeSet;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::script::{ScriptOutcome, ScriptSpec, SpawnError};

/// Time a timed-out script gets after SIGTERM before the SIGKILL, and after
/// the first SIGKILL before the next one (keepalived's `timeout = 2`).
pub const TERM_GRACE: Duration = Duration::from_secs(2);
/// Interval between further SIGKILLs of a child that survives them
/// (keepalived: "failed to terminate after kill", then every 10 s).
pub const KILL_RETRY: Duration = Duration::from_secs(10);
/// What keepalived gives `notify_stop` scripts (and the generic `notify`
/// with STOP) before killing their process group.
pub const NOTIFY_STOP_LIMIT: Duration = Duration::from_secs(1);

/// The variables removed from the environment of every script.
const UNSAFE_ENV: [&str; 3] = ["IFS", "LD_PRELOAD", "LD_LIBRARY_PATH"];

/// Runs `spec` to completion and reports how it ended. With a `timeout`, a
/// run still alive at the deadline is terminated as keepalived does and
/// reported as [`ScriptOutcome::TimedOut`] when it died from our signals; a
/// script that catches SIGTERM and exits normally reports its exit status
/// (keepalived counts that status too).
pub async fn run_script(spec: &ScriptSpec, timeout: Option<Duration>) -> ScriptOutcome {
    let (child, pid) = match spawn(spec) {
        Ok(c) => c,
        Err(e) => return ScriptOutcome::SpawnFailed(e),
    };
    let _running = Running::register(pid);
    supervise(spec, child, pid, timeout).await
}

/// The process groups of the [`run_script`] runs in progress, which
/// [`stop_scripts`] ends at shutdown (keepalived's tracked children).
static RUNNING: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

fn running() -> Vec<Pid> {
    let set = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    set.iter().map(|p| Pid::from_raw(*p)).collect()
}

/// A run's entry in [`RUNNING`], removed when the run ends: the run
/// future completes (or is dropped) in the poll that reaped the child, so
/// a group is never signalled after its leader's pid could be reused.
struct Running(i32);

impl Running {
    fn register(pid: Pid) -> Running {
        let set = &mut RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(pid.as_raw());
        Running(pid.as_raw())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let set = &mut RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(&self.0);
    }
}

/// How often [`stop_scripts`] looks whether the scripts have been reaped.
const STOP_POLL: Duration = Duration::from_millis(20);

/// keepalived's `script_killall()` at the start of a stop or a reload:
/// SIGTERM now to the process group of every [`run_script`] run in
/// progress (the checker's MISC_CHECK scripts, the VRRP child's
/// `vrrp_script`s), and SIGKILL to those of them still running `limit`
/// later (`child_killed_thread`, `child_killed_reload`; keepalived gives
/// them 1 s). Runs started after the call are not touched (a reload goes
/// on checking meanwhile). The returned future ends
/// once every such run has reaped its script; the runs' own tasks do the
/// reaping, so the runtime must keep polling them meanwhile. Bound it with
/// a timeout: a script stuck in the kernel survives SIGKILL.
pub fn stop_scripts(limit: Duration) -> impl std::future::Future<Output = ()> + 'static {
    let deadline = tokio::time::Instant::now() + limit;
    let targets = running();
    for pid in &targets {
        signal_group(*pid, Signal::SIGTERM);
    }
    // Still running: in the set, and not a new run whose leader reused the
    // pid (a group leader's pid is not reused while the group lives, and
    // the run leaves the set in the poll that reaps it).
    let left = move || {
        let now = running();
        targets
            .iter()
            .copied()
            .filter(|p| now.contains(p))
            .collect::<Vec<_>>()
    };
    async move {
        while !left().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(STOP_POLL).await;
        }
        for pid in left() {
            signal_group(pid, Signal::SIGKILL);
        }
        while !left().is_empty() {
            tokio::time::sleep(STOP_POLL).await;
        }
    }
}

/// Starts a notify script (`spec` plus `extra_args`) and reaps it in the
/// background; there is no time limit (keepalived's `notify_exec`). Must be
/// called within a tokio runtime. The handle may be dropped.
pub fn spawn_notify(
    spec: &ScriptSpec,
    extra_args: &[String],
) -> Result<JoinHandle<ScriptOutcome>, SpawnError> {
    spawn_notify_inner(spec, extra_args, None)
}

/// As [`spawn_notify`], but the script's process group is SIGKILLed if it
/// is still running after `limit` (keepalived gives STOP notifies
/// [`NOTIFY_STOP_LIMIT`]: no SIGTERM first). Await the handle at shutdown.
pub fn spawn_notify_limited(
    spec: &ScriptSpec,
    extra_args: &[String],
    limit: Duration,
) -> Result<JoinHandle<ScriptOutcome>, SpawnError> {
    spawn_notify_inner(spec, extra_args, Some(limit))
}

fn spawn_notify_inner(
    spec: &ScriptSpec,
    extra_args: &[String],
    limit: Option<Duration>,
) -> Result<JoinHandle<ScriptOutcome>, SpawnError> {
    let mut spec = spec.clone();
    spec.args.extend(extra_args.iter().cloned());
    // Spawned now, synchronously, so that scripts start in the order the
    // caller asks for (specific notify before the generic one).
    let (mut child, pid) = spawn(&spec)?;
    // The limit runs from the spawn, not from when the task is first
    // polled: a caller that goes on with other work first (the checker
    // removing its IPVS entries at stop) must not lengthen it.
    let deadline = limit.map(|l| tokio::time::Instant::now() + l);
    Ok(tokio::spawn(async move {
        let Some(deadline) = deadline else {
            return outcome(&spec, wait(&mut child).await);
        };
        if let Ok(status) = tokio::time::timeout_at(deadline, wait(&mut child)).await {
            return outcome(&spec, status);
        }
        signal_group(pid, Signal::SIGKILL);
        loop {
            if let Ok(status) = tokio::time::timeout(KILL_RETRY, wait(&mut child)).await {
                return match status.signal() {
                    Some(libc::SIGKILL) => ScriptOutcome::TimedOut,
                    _ => outcome(&spec, status),
                };
            }
            signal_group(pid, Signal::SIGKILL);
        }
    }))
}

/// Where a timed-out run is in keepalived's termination sequence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// SIGTERM sent to the group.
    Requesting,
    /// SIGKILL sent to the group.
    Forcing,
}

async fn supervise(
    spec: &ScriptSpec,
    mut child: Child,
    pid: Pid,
    timeout: Option<Duration>,
) -> ScriptOutcome {
    let Some(timeout) = timeout else {
        return outcome(spec, wait(&mut child).await);
    };
    if let Ok(status) = tokio::time::timeout(timeout, wait(&mut child)).await {
        return outcome(spec, status);
    }
    signal_group(pid, Signal::SIGTERM);
    let mut phase = Phase::Requesting;
    let mut grace = TERM_GRACE;
    loop {
        if let Ok(status) = tokio::time::timeout(grace, wait(&mut child)).await {
            return timed_out_outcome(spec, status, phase, pid);
        }
        if phase == Phase::Forcing {
            grace = KILL_RETRY;
        }
        phase = Phase::Forcing;
        signal_group(pid, Signal::SIGKILL);
    }
}

/// keepalived's verdict on a child reaped after its timeout: death by our
/// own signal is "timed_out"; after the SIGTERM, the rest of the group is
/// SIGKILLed so that the script's children die too.
fn timed_out_outcome(
    spec: &ScriptSpec,
    status: ExitStatus,
    phase: Phase,
    pid: Pid,
) -> ScriptOutcome {
    match (phase, status.signal()) {
        (Phase::Requesting, Some(libc::SIGTERM)) => {
            signal_group(pid, Signal::SIGKILL);
            ScriptOutcome::TimedOut
        }
        (Phase::Forcing, Some(libc::SIGKILL | libc::SIGTERM)) => ScriptOutcome::TimedOut,
        _ => outcome(spec, status),
    }
}

/// Maps a wait status. For a `system` spec the shell stands in for
/// keepalived's intermediate child, which turns the shell's 126/127
/// ("couldn't execute/find command") into exit status 0.
fn outcome(spec: &ScriptSpec, status: ExitStatus) -> ScriptOutcome {
    match (status.code(), status.signal()) {
        (Some(126 | 127), _) if spec.system => ScriptOutcome::Exited(0),
        (Some(code), _) => ScriptOutcome::Exited(code),
        (None, Some(sig)) => ScriptOutcome::Signaled(sig),
        // Stopped/continued are not reported by wait(); treat as a failure.
        (None, None) => ScriptOutcome::Exited(-1),
    }
}

/// Waits for the child; a wait error (ECHILD: someone else reaped it) is a
/// lost child, reported as killed (keepalived: "child (PID) lost").
async fn wait(child: &mut Child) -> ExitStatus {
    match child.wait().await {
        Ok(status) => status,
        Err(_) => ExitStatus::from_raw(libc::SIGKILL),
    }
}

/// Signals the script's process group; errors (the group is already gone)
/// are ignored, as the child will be reaped anyway.
fn signal_group(pid: Pid, sig: Signal) {
    let _ = killpg(pid, sig);
}

fn spawn(spec: &ScriptSpec) -> Result<(Child, Pid), SpawnError> {
    let mut cmd = command(spec)?;
    let child = cmd.spawn().map_err(|e| SpawnError::from(&e))?;
    // A freshly spawned child always has its id.
    let pid = child.id().ok_or(SpawnError {
        errno: libc::ECHILD,
    })?;
    let pid = i32::try_from(pid).map_err(|_| SpawnError {
        errno: libc::EINVAL,
    })?;
    Ok((child, Pid::from_raw(pid)))
}

fn command(spec: &ScriptSpec) -> Result<Command, SpawnError> {
    let Some(program) = spec.args.first().filter(|p| !p.is_empty()) else {
        return Err(SpawnError {
            errno: libc::ENOENT,
        });
    };
    let mut cmd = if spec.system {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(spec.shell_command());
        c
    } else {
        // execve() semantics: a bare name is relative to the working
        // directory, never searched in PATH (std would search).
        let path = if program.contains('/') {
            program.clone()
        } else {
            format!("./{program}")
        };
        let mut c = Command::new(path);
        c.arg0(program).args(&spec.args[1..]);
        c
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(false);
    for var in UNSAFE_ENV {
        cmd.env_remove(var);
    }
    let creds = ChildSetup::new(spec.uid, spec.gid);
    // SAFETY: the closure runs in the forked child before exec; it only
    // calls async-signal-safe functions (setgid, setgroups, setuid,
    // sigaction, prctl, getppid, kill) and allocates nothing.
    unsafe {
        cmd.pre_exec(move || creds.apply());
    }
    Ok(cmd)
}

/// Everything the child does between fork and exec, prepared in the parent
/// so that the child only makes system calls.
#[derive(Clone, Copy)]
struct ChildSetup {
    uid: u32,
    gid: u32,
    our_uid: u32,
    our_gid: u32,
    /// setgroups needs CAP_SETGID: as non-root (tests, `-u`) keep ours.
    root: bool,
    parent: i32,
    /// Highest signal number, read in the parent (glibc computes it).
    sigrtmax: i32,
}

impl ChildSetup {
    fn new(uid: u32, gid: u32) -> ChildSetup {
        ChildSetup {
            uid,
            gid,
            our_uid: nix::unistd::getuid().as_raw(),
            our_gid: nix::unistd::getgid().as_raw(),
            root: nix::unistd::geteuid().is_root(),
            parent: std::process::id() as i32,
            sigrtmax: libc::SIGRTMAX(),
        }
    }

    /// Runs in the child. Order matters: the group before the user (setuid
    /// drops the right to change groups), PDEATHSIG last because any
    /// credential change clears it.
    fn apply(self) -> io::Result<()> {
        // SAFETY: plain system calls on values owned by this frame; the
        // pointer passed to setgroups refers to a live local.
        unsafe {
            if self.gid != self.our_gid && libc::setgid(self.gid) != 0 {
                return Err(io::Error::last_os_error());
            }
            if self.root && libc::setgroups(1, &self.gid) != 0 {
                return Err(io::Error::last_os_error());
            }
            if self.uid != self.our_uid && libc::setuid(self.uid) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        reset_signals(self.sigrtmax);
        // SAFETY: prctl with integer arguments; getppid/kill take no
        // pointers.
        unsafe {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before PDEATHSIG was armed.
            if libc::getppid() != self.parent {
                libc::kill(libc::getpid(), libc::SIGTERM);
            }
        }
        Ok(())
    }
}

/// Default disposition for every signal (keepalived's
/// `signal_handler_script`): exec resets caught signals but keeps ignored
/// ones ignored. std already clears the signal mask.
fn reset_signals(sigrtmax: i32) {
    // SAFETY: a zeroed sigaction is valid (empty mask, no flags) and
    // SIG_DFL is a valid handler; sigaction on an invalid or
    // uncatchable number fails harmlessly with EINVAL.
    unsafe {
        let mut dfl: libc::sigaction = std::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        for sig in 1..=sigrtmax {
            libc::sigaction(sig, &dfl, std::ptr::null_mut());
        }
    }
}
