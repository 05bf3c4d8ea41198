//! One child process of the parent: how it is started, told to stop, and
//! how its death is classified (keepalived's permanent exit codes stop the
//! daemon; anything else is respawned).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;

use super::respawn::Respawn;
use super::{PARENT_ENV, READY_FD_ENV, ROLE_ENV};
use crate::messages;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKind {
    Vrrp,
    Checker,
}

impl ChildKind {
    /// The role name in [`ROLE_ENV`].
    pub fn role(self) -> &'static str {
        match self {
            ChildKind::Vrrp => "vrrp",
            ChildKind::Checker => "checker",
        }
    }

    /// The syslog ident and process name.
    pub fn ident(self) -> &'static str {
        match self {
            ChildKind::Vrrp => "Keepalived_vrrp",
            ChildKind::Checker => "Keepalived_healthcheckers",
        }
    }

    /// As in "VRRP child process(N) died".
    pub fn prog(self) -> &'static str {
        match self {
            ChildKind::Vrrp => "VRRP",
            ChildKind::Checker => "Healthcheck",
        }
    }

    /// As in "Restart of VRRP process delayed".
    pub fn short(self) -> &'static str {
        match self {
            ChildKind::Vrrp => "VRRP",
            ChildKind::Checker => "checker",
        }
    }

    /// The role named by the environment of this process, if any.
    pub fn from_env() -> Option<ChildKind> {
        match std::env::var(ROLE_ENV).ok()?.as_str() {
            "vrrp" => Some(ChildKind::Vrrp),
            "checker" => Some(ChildKind::Checker),
            _ => None,
        }
    }
}

/// How a child ended.
pub enum Exit {
    /// keepalived's permanent errors: 1 FATAL, 2 CONFIG, 4 missing
    /// permission; the daemon exits with that code.
    Permanent(u8, &'static str),
    /// Anything else, with a description for the log.
    Other(String),
}

pub struct Child {
    pub kind: ChildKind,
    pub pid: u32,
    pub started: Instant,
    pub respawn: Respawn,
    proc: Option<tokio::process::Child>,
    ready: Option<OwnedFd>,
    ready_rx: Option<tokio::net::unix::pipe::Receiver>,
}

impl Child {
    /// Starts a child of `kind` with our own arguments.
    pub fn start(kind: ChildKind, args: &[String]) -> io::Result<Child> {
        let mut c = Child {
            kind,
            pid: 0,
            started: Instant::now(),
            respawn: Respawn::default(),
            proc: None,
            ready: None,
            ready_rx: None,
        };
        c.spawn(args)?;
        Ok(c)
    }

    fn spawn(&mut self, args: &[String]) -> io::Result<()> {
        let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        // The write end, and only it, survives the exec.
        fcntl(&w, FcntlArg::F_SETFD(FdFlag::empty()))?;
        let exe = std::env::current_exe()?;
        let mut cmd = tokio::process::Command::new(exe);
        cmd.args(args)
            .env(ROLE_ENV, self.kind.role())
            .env(PARENT_ENV, std::process::id().to_string())
            .env(READY_FD_ENV, w.as_raw_fd().to_string())
            .kill_on_drop(false);
        let proc = cmd.spawn()?;
        drop(w);
        self.pid = proc.id().unwrap_or(0);
        self.proc = Some(proc);
        self.ready = Some(r);
        self.ready_rx = None;
        self.started = Instant::now();
        tracing::info!("{}", messages::starting_child(self.kind.prog(), self.pid));
        Ok(())
    }

    /// Starts the child again after it died.
    pub fn restart(&mut self, args: &[String]) -> io::Result<()> {
        self.spawn(args)
    }

    /// Waits (bounded) until the child says it has read its configuration,
    /// or closes the pipe by dying.
    /// The same pipe is written again after every reload.
    pub async fn wait_ready(&mut self, limit: Duration) {
        if let Some(fd) = self.ready.take() {
            self.ready_rx = tokio::net::unix::pipe::Receiver::from_owned_fd(fd).ok();
        }
        let Some(rx) = self.ready_rx.as_mut() else {
            return;
        };
        let mut b = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(limit, rx.read(&mut b)).await {
            // EOF: the child is gone; its exit is handled elsewhere.
            self.ready_rx = None;
        }
    }

    pub fn signal(&self, sig: Signal) {
        if self.pid != 0 && self.proc.is_some() {
            let _ = kill(Pid::from_raw(self.pid as i32), sig);
        }
    }

    /// Sends a signal by number (realtime signals included).
    pub fn signal_raw(&self, sig: i32) {
        if self.pid != 0 && self.proc.is_some() {
            let _ = crate::sys::signal::kill_raw(self.pid as i32, sig);
        }
    }

    /// Waits up to `limit` for the child to exit; true if it did.
    pub async fn wait_exit(&mut self, limit: Duration) -> bool {
        let Some(p) = self.proc.as_mut() else {
            return true;
        };
        match tokio::time::timeout(limit, p.wait()).await {
            Ok(_) => {
                self.proc = None;
                true
            }
            Err(_) => false,
        }
    }
}

/// Waits for the first child to exit and classifies its end.
pub async fn wait_any(children: &mut [Child]) -> (usize, Exit) {
    use std::os::unix::process::ExitStatusExt;
    if children.iter().all(|c| c.proc.is_none()) {
        return std::future::pending().await;
    }
    let waits = children.iter_mut().enumerate().filter_map(|(i, c)| {
        c.proc
            .as_mut()
            .map(|p| Box::pin(async move { (i, p.wait().await) }))
    });
    let ((i, status), _, _) = futures::future::select_all(waits).await;
    let c = &mut children[i];
    c.proc = None;
    let exit = match status {
        Ok(s) => match (s.code(), s.signal()) {
            (Some(1), _) => Exit::Permanent(1, "FATAL"),
            (Some(2), _) => Exit::Permanent(2, "CONFIG"),
            (Some(4), _) => Exit::Permanent(4, "missing permission"),
            (Some(code), _) => Exit::Other(messages::child_exited_status(c.pid, code)),
            (None, Some(sig)) => Exit::Other(messages::child_exited_signal(
                c.pid,
                sig,
                Signal::try_from(sig).map(signal_name).unwrap_or("unknown"),
            )),
            _ => Exit::Other(messages::child_exited(c.pid)),
        },
        Err(e) => Exit::Other(messages::child_wait_failed(c.pid, &e)),
    };
    (i, exit)
}

/// strsignal()'s English descriptions for the signals that kill children.
fn signal_name(s: Signal) -> &'static str {
    match s {
        Signal::SIGKILL => "Killed",
        Signal::SIGTERM => "Terminated",
        Signal::SIGSEGV => "Segmentation fault",
        Signal::SIGABRT => "Aborted",
        Signal::SIGINT => "Interrupt",
        Signal::SIGBUS => "Bus error",
        _ => "Signal",
    }
}

/// In a child: report to the parent that the configuration is read.
pub fn report_ready() {
    let Some(fd) = std::env::var(READY_FD_ENV)
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    else {
        return;
    };
    // The descriptor was inherited across exec for exactly this write.
    let _ = nix::unistd::write(reopen_fd(fd), &[1u8]);
}

/// A descriptor from its number, without unsafe: through `/proc/self/fd`,
/// which re-opens the pipe's write end (the inherited descriptor itself
/// stays open for the next reload).
fn reopen_fd(fd: i32) -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/self/fd/{fd}"))
        .unwrap_or_else(|_| {
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/null")
                .expect("/dev/null")
        })
}

/// In a child: die with the parent, and make sure the parent that started
/// us is still the one we have (it may have died before the prctl).
pub fn bind_to_parent() -> bool {
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
    let expected = std::env::var(PARENT_ENV)
        .ok()
        .and_then(|v| v.parse::<i32>().ok());
    expected.is_none_or(|p| nix::unistd::getppid().as_raw() == p)
}
