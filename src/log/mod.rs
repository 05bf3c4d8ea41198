//! The daemon's only logging entry point: keepalived's syslog, console (`-l`)
//! and file (`-g`) outputs behind `tracing`.
//!
//! Code logs with `tracing::info!` / `warn!` / `error!` / `debug!`; levels map
//! to syslog priorities ERROR→LOG_ERR, WARN→LOG_WARNING, INFO→LOG_INFO,
//! DEBUG→LOG_DEBUG (TRACE is never output). keepalived logs almost
//! everything at LOG_INFO, so most lines should use `info!`. Conventions,
//! with macros for them at the crate root:
//!
//! * `prio = "alert"` (or `"notice"`, `"crit"`, `"emerg"`, … or 0-7) sets
//!   the exact syslog priority — [`log_alert!`](crate::log_alert),
//!   [`log_notice!`](crate::log_notice);
//! * a field named `detail` marks a line keepalived only logs with `-D`
//!   ([`log_detail!`](crate::log_detail)); `extra_detail` one that needs
//!   `-DD` ([`log_extra_detail!`](crate::log_extra_detail)). Such callsites
//!   are skipped before their message is formatted.
//!
//! Other fields are appended as ` name=value`, so keepalived's exact lines
//! should be written entirely in the message.
//!
//! Syslog lines are sent by our own client of `/dev/log`
//! ([`crate::sys::syslog_socket`]; `$KEEPALIVED_SYSLOG_SOCKET` overrides the
//! path for tests), formatted as glibc does. See [`format`] for the byte
//! layouts, verified against keepalived 2.2.7.

pub mod format;
mod layer;
pub mod names;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

pub use layer::KeepalivedLayer;
pub use names::{DEFAULT_LOG_FILE, Priority, Process, ident, log_file_name, tmp_dir};
#[doc(hidden)]
pub use tracing as __tracing;

use crate::cli::{Facility, Options};

/// Field names with a meaning to the layer.
pub mod fields {
    pub const MESSAGE: &str = "message";
    /// Exact syslog priority: a name (`"alert"`) or number (0-7).
    pub const PRIO: &str = "prio";
    /// Present: log only with `-D`.
    pub const DETAIL: &str = "detail";
    /// Present: log only with `-DD`.
    pub const EXTRA_DETAIL: &str = "extra_detail";
}

/// Where and how one process logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// syslog ident, see [`ident`].
    pub ident: String,
    /// `-S`.
    pub facility: Facility,
    /// Send to syslog (false with `-G` / `-t`).
    pub syslog: bool,
    /// Socket path; `None` means `$KEEPALIVED_SYSLOG_SOCKET` or `/dev/log`.
    pub syslog_socket: Option<PathBuf>,
    /// Write `-l` lines to stderr. keepalived only does so in the
    /// foreground (`-l` with `-n`); [`LogSettings::from_options`] applies that.
    pub console: bool,
    /// `-D`.
    pub detail: bool,
    /// `-D -D`.
    pub extra_detail: bool,
    /// `-g` file for this process (see [`log_file_name`]).
    pub file: Option<PathBuf>,
    /// `--flush-log-file`: flush after every line (else on
    /// [`LogGuard::flush`] / drop, like keepalived's buffered stdio).
    pub flush_file: bool,
}

impl LogSettings {
    /// keepalived's rules from the command line for `process`, with the
    /// namespace (`-s` or `net_namespace`) and `instance` once known.
    /// With `-t` nothing is logged at all (keepalived's `vlog_message`
    /// returns at once in config-test mode).
    pub fn from_options(
        opts: &Options,
        process: Process,
        namespace: Option<&str>,
        instance: Option<&str>,
    ) -> LogSettings {
        let testing = opts.config_test.is_some();
        LogSettings {
            ident: ident(process, namespace, instance),
            facility: opts.log_facility,
            syslog: !opts.no_syslog && !testing,
            syslog_socket: None,
            console: opts.log_console && opts.dont_fork && !testing,
            detail: opts.log_detail >= 1,
            extra_detail: opts.log_detail >= 2,
            file: None,
            flush_file: false,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            ident: Process::Parent.prog_name().to_owned(),
            facility: Facility::Daemon,
            syslog: true,
            syslog_socket: None,
            console: false,
            detail: false,
            extra_detail: false,
            file: None,
            flush_file: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("Unable to open log file {}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a global logger is already installed")]
    AlreadyInitialised,
}

/// Handle on the installed logger: change settings (new ident after the
/// config is read, a child's settings after fork, `-D` on reload), flush the
/// log file. Dropping it flushes; logging goes on until the process exits.
#[derive(Debug)]
pub struct LogGuard {
    shared: Arc<layer::Shared>,
    global: bool,
}

impl LogGuard {
    /// Replace every setting; reconnects syslog and reopens the log file.
    pub fn reconfigure(&self, settings: &LogSettings) -> Result<(), LogError> {
        self.shared.reconfigure(settings)?;
        if self.global {
            set_global_detail(settings);
        }
        Ok(())
    }

    /// Flush the `-g` file.
    pub fn flush(&self) {
        self.shared.flush();
    }

    /// syslog lines dropped because the socket was missing or full.
    pub fn syslog_dropped(&self) -> u64 {
        self.shared.syslog_dropped()
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.flush();
    }
}

/// The layer and its guard, without installing anything (tests, or a
/// caller composing its own subscriber).
pub fn layer(settings: &LogSettings) -> Result<(KeepalivedLayer, LogGuard), LogError> {
    let shared = Arc::new(layer::Shared::new(settings)?);
    Ok((
        KeepalivedLayer {
            shared: shared.clone(),
        },
        LogGuard {
            shared,
            global: false,
        },
    ))
}

/// Install the logger as the process-wide tracing subscriber.
pub fn init(settings: &LogSettings) -> Result<LogGuard, LogError> {
    use tracing_subscriber::layer::SubscriberExt;
    let (layer, mut guard) = layer(settings)?;
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| LogError::AlreadyInitialised)?;
    guard.global = true;
    set_global_detail(settings);
    Ok(guard)
}

/// 0 none, 1 `-D`, 2 `-DD` — of the global logger.
static DETAIL: AtomicU8 = AtomicU8::new(0);

fn set_global_detail(s: &LogSettings) {
    let level = if s.extra_detail {
        2
    } else {
        u8::from(s.detail)
    };
    DETAIL.store(level, Ordering::Relaxed);
}

/// Whether `-D` is in force, for code that must do work only to log detail
/// (keepalived's `__test_bit(LOG_DETAIL_BIT, &debug)`).
pub fn detail_enabled() -> bool {
    DETAIL.load(Ordering::Relaxed) >= 1
}

/// Whether `-DD` is in force.
pub fn extra_detail_enabled() -> bool {
    DETAIL.load(Ordering::Relaxed) >= 2
}

/// A line keepalived logs at LOG_ALERT (e.g. child process death).
#[macro_export]
macro_rules! log_alert {
    ($($arg:tt)+) => { $crate::log::__tracing::error!(prio = "alert", $($arg)+) };
}

/// A line keepalived logs at LOG_NOTICE.
#[macro_export]
macro_rules! log_notice {
    ($($arg:tt)+) => { $crate::log::__tracing::info!(prio = "notice", $($arg)+) };
}

/// A LOG_INFO line keepalived only logs with `-D`.
#[macro_export]
macro_rules! log_detail {
    ($($arg:tt)+) => { $crate::log::__tracing::info!(detail = true, $($arg)+) };
}

/// A LOG_INFO line keepalived only logs with `-DD`.
#[macro_export]
macro_rules! log_extra_detail {
    ($($arg:tt)+) => { $crate::log::__tracing::info!(extra_detail = true, $($arg)+) };
}

#[cfg(test)]
mod tests;
