//! The daemon's process model (keepalived's `core/main.c`): the parent reads
//! the configuration, starts a child per subsystem that has configuration,
//! forwards signals to them and restarts them when they die.
//!
//! Children are started by re-executing our own binary (`/proc/self/exe`)
//! with the same arguments and the role in the environment
//! ([`ROLE_ENV`]), never by `fork()` from a process that has a runtime or
//! threads. Each child asks for SIGTERM when the parent dies
//! (`PR_SET_PDEATHSIG`) and checks that the parent it was started by is
//! still there, closing the race between `exec` and `prctl`.

pub mod child;
pub mod respawn;

use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

use crate::messages;
use child::{Child, ChildKind, Exit};

/// Environment variable naming the role of a re-executed child.
pub const ROLE_ENV: &str = "KEEPALIVED_ROLE";
/// Environment variable with the parent's PID (see the module docs).
pub const PARENT_ENV: &str = "KEEPALIVED_PARENT_PID";
/// Environment variable with the descriptor a child writes one byte to
/// once it has read its configuration (keepalived uses an eventfd).
pub const READY_FD_ENV: &str = "KEEPALIVED_READY_FD";

/// What the parent needs from the command line and configuration.
#[derive(Clone, Debug)]
pub struct ParentOptions {
    /// The arguments to give the children (ours, minus argv[0]).
    pub args: Vec<String>,
    pub start_vrrp: bool,
    pub start_checker: bool,
    pub dont_respawn: bool,
    /// `child_wait_time` (default 5 s).
    pub child_wait: Duration,
    pub version_line: String,
}

thread_local! {
    /// What the parent does itself at SIGHUP, before telling the children
    /// (main.rs re-reads the configuration for `process_name`). The
    /// parent's runtime is current-thread, so this is the thread it runs on.
    static RELOAD_HOOK: std::cell::RefCell<Option<Box<dyn Fn()>>> =
        const { std::cell::RefCell::new(None) };
}

/// Sets the parent's own reload step (see [`RELOAD_HOOK`]); call it on the
/// thread that then calls [`run`].
pub fn set_reload_hook(hook: Box<dyn Fn()>) {
    RELOAD_HOOK.with(|h| *h.borrow_mut() = Some(hook));
}

fn run_reload_hook() {
    RELOAD_HOOK.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook();
        }
    });
}

/// Runs the parent until stopped; returns the daemon's exit code.
pub fn run(opts: ParentOptions) -> u8 {
    // Orphaned grandchildren (scripts) are reaped by us, not by init, so
    // that a child's scripts never outlive the daemon unnoticed.
    let _ = nix::sys::prctl::set_child_subreaper(true);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("{}", messages::runtime_start_failed(&e));
            return 1;
        }
    };
    rt.block_on(supervise(opts))
}

async fn supervise(opts: ParentOptions) -> u8 {
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
    // Dump requests go to the VRRP child, as keepalived forwards them.
    let mut usr1 = signal(SignalKind::user_defined1()).expect("SIGUSR1 handler");
    let mut usr2 = signal(SignalKind::user_defined2()).expect("SIGUSR2 handler");
    let json_sig = libc::SIGRTMIN() + 2;
    let clear_sig = libc::SIGRTMAX() - 1;
    let mut json = signal(SignalKind::from_raw(json_sig)).expect("JSON handler");
    let mut clear = signal(SignalKind::from_raw(clear_sig)).expect("STATS_CLEAR handler");
    let mut kinds = Vec::new();
    if opts.start_vrrp {
        kinds.push(ChildKind::Vrrp);
    }
    if opts.start_checker {
        kinds.push(ChildKind::Checker);
    }
    if kinds.is_empty() {
        tracing::warn!("{}", messages::no_configuration_to_run());
    }
    let mut children: Vec<Child> = Vec::new();
    for k in kinds {
        match Child::start(k, &opts.args) {
            Ok(c) => children.push(c),
            Err(e) => {
                tracing::error!("{}", messages::unable_to_start_child(k.prog(), &e));
                return 1;
            }
        }
    }
    for c in &mut children {
        c.wait_ready(Duration::from_secs(30)).await;
    }
    tracing::info!("{}", messages::startup_complete());
    let _ = crate::sys::sd_notify::ready(std::process::id(), Some(messages::startup_complete()));
    // WatchdogSec: keepalived pings systemd at half the period.
    let watchdog = crate::sys::sd_notify::watchdog_interval();
    let mut wd_tick = tokio::time::interval(watchdog.map_or(Duration::from_secs(3600), |w| w / 2));
    let code = loop {
        tokio::select! {
            _ = wd_tick.tick(), if watchdog.is_some() => {
                let _ = crate::sys::sd_notify::watchdog();
            }
            _ = term.recv() => break 0,
            _ = int.recv() => break 0,
            _ = usr1.recv() => forward_raw(&children, libc::SIGUSR1),
            _ = usr2.recv() => forward_raw(&children, libc::SIGUSR2),
            _ = json.recv() => forward_raw(&children, json_sig),
            _ = clear.recv() => forward_raw(&children, clear_sig),
            _ = hup.recv() => {
                tracing::info!("{}", messages::parent_reloading());
                run_reload_hook();
                let _ = crate::sys::sd_notify::reloading();
                for c in &children {
                    c.signal(nix::sys::signal::Signal::SIGHUP);
                }
                // Each child writes to its ready pipe again once it has
                // applied the new configuration.
                for c in &mut children {
                    c.wait_ready(Duration::from_secs(30)).await;
                }
                tracing::info!("{}", messages::reload_complete());
                let _ = crate::sys::sd_notify::reloaded();
            }
            (i, exit) = child::wait_any(&mut children) => {
                let c = &mut children[i];
                match exit {
                    Exit::Permanent(code, what) => {
                        tracing::error!("{}", messages::permanent_error(c.kind.ident(), what));
                        break code;
                    }
                    Exit::Other(desc) => {
                        if opts.dont_respawn {
                            tracing::error!("{}", messages::child_died_exiting(c.kind.prog(), c.pid));
                            break 0;
                        }
                        tracing::warn!("{desc}");
                        tracing::error!("{}", messages::child_died_respawning(c.kind.prog(), c.pid));
                        let delay = c.respawn.next_delay(c.started.elapsed());
                        if !delay.is_zero() {
                            tracing::info!("{}", messages::restart_delayed(c.kind.short(), delay.as_secs()));
                            tokio::time::sleep(delay).await;
                        }
                        if let Err(e) = c.restart(&opts.args) {
                            tracing::error!("{}", messages::unable_to_restart_child(c.kind.prog(), &e));
                            break 1;
                        }
                    }
                }
            }
        }
    };
    tracing::info!("{}", messages::parent_stopping());
    let _ = crate::sys::sd_notify::stopping();
    for c in &children {
        c.signal(nix::sys::signal::Signal::SIGTERM);
    }
    for c in &mut children {
        if !c.wait_exit(opts.child_wait).await {
            tracing::error!("{}", messages::failed_to_die(c.kind.ident()));
            c.signal(nix::sys::signal::Signal::SIGKILL);
            c.wait_exit(Duration::from_secs(1)).await;
        }
    }
    tracing::info!("{}", messages::stopped_keepalived(&opts.version_line));
    code
}

/// Sends signal number `sig` to the VRRP child (realtime signals have no
/// `nix::Signal` value, hence the raw number).
fn forward_raw(children: &[Child], sig: i32) {
    for c in children.iter().filter(|c| c.kind == ChildKind::Vrrp) {
        c.signal_raw(sig);
    }
}
