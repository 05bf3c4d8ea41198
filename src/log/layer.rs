//! The tracing Layer that turns `tracing` events into keepalived's syslog,
//! console and file lines.

use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use super::format;
use super::names::{Priority, pri};
use super::{LogError, LogSettings, fields};
use crate::sys::clock;
use crate::sys::syslog_socket::{self, SyslogSocket};

/// State shared by the layer and its [`LogGuard`](super::LogGuard).
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) detail: AtomicBool,
    pub(super) extra_detail: AtomicBool,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    settings: LogSettings,
    syslog: Option<SyslogSocket>,
    file: Option<BufWriter<File>>,
}

impl Shared {
    pub(super) fn new(settings: &LogSettings) -> Result<Shared, LogError> {
        let state = State::open(settings)?;
        Ok(Shared {
            detail: AtomicBool::new(settings.detail),
            extra_detail: AtomicBool::new(settings.extra_detail),
            state: Mutex::new(state),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while logging must not silence the daemon for good.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn reconfigure(&self, settings: &LogSettings) -> Result<(), LogError> {
        let new = State::open(settings)?;
        let mut st = self.lock();
        st.flush();
        *st = new;
        self.detail.store(settings.detail, Ordering::Relaxed);
        self.extra_detail
            .store(settings.extra_detail, Ordering::Relaxed);
        Ok(())
    }

    pub(super) fn flush(&self) {
        self.lock().flush();
    }

    pub(super) fn syslog_dropped(&self) -> u64 {
        self.lock().syslog.as_ref().map_or(0, SyslogSocket::dropped)
    }

    fn write(&self, prio: Priority, msg: &str) {
        let now = clock::now();
        let mut st = self.lock();
        let st = &mut *st;
        if let Some(sock) = &mut st.syslog {
            let line = format::syslog_datagram(
                pri(st.settings.facility, prio),
                &now,
                &st.settings.ident,
                std::process::id(),
                msg,
            );
            sock.send(line.as_bytes());
        }
        if st.settings.console {
            // Unbuffered, like keepalived's fprintf(stderr); a closed stderr
            // must not stop the other outputs.
            let _ = std::io::stderr().write_all(format::console_line(&now, msg).as_bytes());
        }
        if let Some(f) = &mut st.file {
            let _ = f.write_all(format::file_line(&now, msg).as_bytes());
            if st.settings.flush_file {
                let _ = f.flush();
            }
        }
    }
}

impl State {
    fn open(settings: &LogSettings) -> Result<State, LogError> {
        let syslog = settings.syslog.then(|| {
            SyslogSocket::new(
                settings
                    .syslog_socket
                    .clone()
                    .unwrap_or_else(syslog_socket::default_path),
            )
        });
        let file = match &settings.file {
            Some(path) => Some(BufWriter::new(open_log_file(path).map_err(|source| {
                LogError::File {
                    path: path.clone(),
                    source,
                }
            })?)),
            None => None,
        };
        Ok(State {
            settings: settings.clone(),
            syslog,
            file,
        })
    }

    fn flush(&mut self) {
        if let Some(f) = &mut self.file {
            let _ = f.flush();
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        self.flush();
    }
}

/// keepalived's `fopen_safe(name, "a")`: append, create 0666 (less umask),
/// never through a symlink.
fn open_log_file(path: &std::path::Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o666)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// The Layer; cheap to clone, all clones share state with the guard.
#[derive(Debug, Clone)]
pub struct KeepalivedLayer {
    pub(super) shared: Arc<Shared>,
}

/// Which `-D` level a callsite needs, from its field names.
fn detail_need(meta: &Metadata<'_>) -> (bool, bool) {
    let f = meta.fields();
    (
        f.field(fields::DETAIL).is_some(),
        f.field(fields::EXTRA_DETAIL).is_some(),
    )
}

impl<S: Subscriber> Layer<S> for KeepalivedLayer {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if *meta.level() == Level::TRACE || meta.is_span() {
            return Interest::never();
        }
        match detail_need(meta) {
            // -D can change on reload: ask every time.
            (true, _) | (_, true) => Interest::sometimes(),
            _ => Interest::always(),
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _: Context<'_, S>) -> bool {
        if *meta.level() == Level::TRACE || meta.is_span() {
            return false;
        }
        let (detail, extra) = detail_need(meta);
        (!detail || self.shared.detail.load(Ordering::Relaxed))
            && (!extra || self.shared.extra_detail.load(Ordering::Relaxed))
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut v = LineVisitor::default();
        event.record(&mut v);
        let prio = v
            .prio
            .unwrap_or_else(|| Priority::from_level(*event.metadata().level()));
        self.shared.write(prio, &v.line());
    }
}

/// Collects the message, the `prio` override, and any other fields.
#[derive(Default)]
struct LineVisitor {
    message: String,
    rest: String,
    prio: Option<Priority>,
}

impl LineVisitor {
    fn line(mut self) -> String {
        self.message.push_str(&self.rest);
        self.message
    }

    fn other(&mut self, field: &Field, value: &dyn fmt::Display) {
        let _ = write!(self.rest, " {}={}", field.name(), value);
    }
}

impl Visit for LineVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            fields::MESSAGE => self.message.push_str(value),
            fields::PRIO => self.prio = Priority::from_name(value),
            fields::DETAIL | fields::EXTRA_DETAIL => {}
            _ => self.other(field, &value),
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            fields::PRIO => self.prio = Priority::from_number(value),
            fields::DETAIL | fields::EXTRA_DETAIL => {}
            _ => self.other(field, &value),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match u64::try_from(value) {
            Ok(v) => self.record_u64(field, v),
            Err(_) => self.record_debug(field, &value),
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        match field.name() {
            fields::DETAIL | fields::EXTRA_DETAIL => {}
            _ => self.other(field, &value),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            // `format_args!` debug-prints as its plain text.
            fields::MESSAGE => {
                let _ = write!(self.message, "{value:?}");
            }
            fields::PRIO => {
                let s = format!("{value:?}");
                self.prio = Priority::from_name(s.trim_matches('"'));
            }
            fields::DETAIL | fields::EXTRA_DETAIL => {}
            _ => {
                let _ = write!(self.rest, " {}={:?}", field.name(), value);
            }
        }
    }
}
