//! One `vrrp_script`'s tracking state, as keepalived 2.2.7's
//! `vrrp_script_thread()` / `vrrp_script_child_thread()` keep it.
//!
//! Sans-IO: the driver asks [`ScriptTracker::poll_timeout`] when to start
//! the next run, calls [`ScriptTracker::start`] then, runs the script with
//! the timeout it returns (`sys::spawn::run_script`), and feeds the outcome
//! to [`ScriptTracker::finished`]. The returned [`TrackEvent`]s are log
//! lines and status changes for every instance tracking the script.
//!
//! keepalived's counter (`result`) runs from 0 to `rise + fall - 1`: the
//! script is up when `result >= rise`. A success while down climbs one step
//! (reaching `rise` logs "succeeded" and goes up, and jumps to the top); a
//! failure while up descends one step (falling below `rise` logs the failure
//! and goes down, and drops to 0). A new script starts at `rise - 1` in the
//! "init" state, so that its first result, whichever it is, is reported; with
//! `init_fail` it starts at 0 (down) and needs `rise` successes.
//!
//! What counts as success: exit status 0. Everything else fails, except
//! that a script that could not be exec'd counts as exit status 0, because
//! keepalived's forked child logs the error and `exit(0)`s (verified on
//! 2.2.7: a track script made non-executable after startup logs
//! "Script `chk` now returning 0" and "VRRP_Script(chk) succeeded").
//!
//! Scheduling: the first run starts at once; each run schedules the next
//! one `interval` after its own start. A tick that finds the previous run
//! still going logs "… expect idle - skipping run" and starts nothing. (2.2.7
//! logged that line and then started a second run anyway — an upstream bug
//! fixed in 2025, "Skip running not idle vrrp scripts" — which piles up
//! processes and can leave a hung run unkilled; we skip.)

use std::fmt;
use std::time::Duration;

use crate::config::model::VrrpScript;
use crate::messages;
use crate::script::ScriptOutcome;

use super::action::{Input, Micros, TrackKind, TrackStatus};

/// Something the driver must act on after a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrackEvent {
    /// The script's status changed: tell every instance that tracks it
    /// (see [`ScriptTracker::input`]).
    Status(TrackStatus),
    /// A log line (LOG_INFO) in keepalived 2.2.7's wording.
    Log { message: String },
}

/// What to do at a scheduled tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// Start the script now; kill it after `timeout`.
    Run { timeout: Duration },
    /// The previous run is still in progress: start nothing, log this.
    Skip(TrackEvent),
}

/// The state of one `vrrp_script`.
#[derive(Clone, Debug)]
pub struct ScriptTracker {
    name: String,
    /// `args[0]`, for the exec error message.
    command: String,
    interval: Micros,
    timeout: Micros,
    rise: u32,
    fall: u32,
    /// keepalived's `result` counter.
    result: u32,
    /// keepalived's `SCRIPT_INIT_STATE_INIT`: no run has finished yet (and
    /// not `init_fail`).
    init: bool,
    /// The last exit status, to log changes (keepalived starts it at 0).
    last_status: i32,
    /// When the next run is due; `None` for a script that never runs.
    next_run: Option<Micros>,
    /// Start of the run in progress.
    running_since: Option<Micros>,
}

impl ScriptTracker {
    /// A tracker for `script`; its first run is due at `now`. A script that
    /// validation removed (or that has no command) never runs.
    pub fn new(script: &VrrpScript, now: Micros) -> ScriptTracker {
        let rise = script.rise.max(1);
        let fall = script.fall.max(1);
        let command = script
            .script
            .as_ref()
            .and_then(|s| s.args.first())
            .cloned()
            .unwrap_or_default();
        let interval = script.interval.max(1);
        let runs = !script.removed && !command.is_empty();
        ScriptTracker {
            name: script.name.clone(),
            command,
            interval,
            timeout: script.timeout.filter(|&t| t > 0).unwrap_or(interval),
            rise,
            fall,
            result: if script.init_fail { 0 } else { rise - 1 },
            init: !script.init_fail,
            last_status: 0,
            next_run: runs.then_some(now),
            running_since: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The timeout each run gets.
    pub fn timeout(&self) -> Duration {
        Duration::from_micros(self.timeout)
    }

    /// The status instances should assume now: `None` until the first
    /// result (keepalived's "init"), unless `init_fail`.
    pub fn status(&self) -> Option<TrackStatus> {
        if self.init {
            None
        } else if self.result >= self.rise {
            Some(TrackStatus::Up)
        } else {
            Some(TrackStatus::Down)
        }
    }

    /// Whether a run is in progress.
    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    /// When [`start`](Self::start) is next due.
    pub fn poll_timeout(&self) -> Option<Micros> {
        self.next_run
    }

    /// The tick: schedules the next one `interval` from `now` and says
    /// whether to start the script.
    pub fn start(&mut self, now: Micros) -> Start {
        if self.next_run.is_none() {
            return Start::Skip(self.log(Message::NotRunnable { name: &self.name }));
        }
        self.next_run = Some(now + self.interval);
        if let Some(since) = self.running_since {
            // keepalived handles the run timer before the child's timeout
            // when both fall due together, so at exactly the deadline the
            // run is still "already running".
            let being_killed = now > since + self.timeout;
            return Start::Skip(self.log(Message::Skipping {
                name: &self.name,
                being_killed,
            }));
        }
        self.running_since = Some(now);
        Start::Run {
            timeout: self.timeout(),
        }
    }

    /// A reload kept this script: the run in progress, SIGTERMed by the
    /// reload, is forgotten (its result never counts) and the next run is
    /// due at once, as keepalived's reload runs every script at once
    /// (`vrrp_init_script`); the rise/fall count is kept
    /// (`clear_diff_script`).
    pub fn restart(&mut self, now: Micros) {
        self.running_since = None;
        if self.next_run.is_some() {
            self.next_run = Some(now);
        }
    }

    /// A run ended with `outcome`: the log lines and status change, if any.
    pub fn finished(&mut self, _now: Micros, outcome: ScriptOutcome) -> Vec<TrackEvent> {
        self.running_since = None;
        let mut events = Vec::new();
        let outcome = match outcome {
            ScriptOutcome::SpawnFailed(e) if e.is_fork_failure() => {
                // No child ran: keepalived records no result at all.
                events.push(self.log(Message::ForkFailed));
                return events;
            }
            ScriptOutcome::SpawnFailed(e) => {
                events.push(self.log(Message::ExecFailed {
                    command: &self.command,
                    errno: e.errno,
                    description: e.description(),
                }));
                ScriptOutcome::Exited(0)
            }
            other => other,
        };
        let failure = match outcome {
            ScriptOutcome::Exited(status) => {
                if status != self.last_status {
                    events.push(self.log(Message::NowReturning {
                        name: &self.name,
                        status,
                    }));
                }
                self.last_status = status;
                (status != 0).then_some(Message::FailedStatus {
                    name: &self.name,
                    status,
                })
            }
            ScriptOutcome::Signaled(signal) => Some(Message::FailedSignal {
                name: &self.name,
                signal,
            }),
            ScriptOutcome::TimedOut => Some(Message::TimedOut { name: &self.name }),
            ScriptOutcome::SpawnFailed(_) => unreachable!("mapped above"),
        };
        let top = self.rise + self.fall - 1;
        match failure {
            None => {
                if self.result < self.rise - 1 {
                    self.result += 1;
                } else if self.result != top {
                    if self.result < self.rise {
                        events.push(self.log(Message::Succeeded { name: &self.name }));
                        events.push(TrackEvent::Status(TrackStatus::Up));
                    }
                    self.result = top;
                }
            }
            Some(message) => {
                if self.result > self.rise {
                    self.result -= 1;
                } else {
                    if self.result == self.rise || self.init {
                        events.push(TrackEvent::Log {
                            message: message.to_string(),
                        });
                        events.push(TrackEvent::Status(TrackStatus::Down));
                    }
                    self.result = 0;
                }
            }
        }
        self.init = false;
        events
    }

    /// The VRRP input announcing `status` to an instance tracking this
    /// script.
    pub fn input(&self, status: TrackStatus) -> Input {
        Input::Track {
            kind: TrackKind::Script,
            name: self.name.clone(),
            status,
        }
    }

    fn log(&self, message: Message<'_>) -> TrackEvent {
        TrackEvent::Log {
            message: message.to_string(),
        }
    }
}

/// Every user-visible string of script and file tracking, worded as
/// keepalived 2.2.7 words them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    Succeeded {
        name: &'a str,
    },
    FailedStatus {
        name: &'a str,
        status: i32,
    },
    FailedSignal {
        name: &'a str,
        signal: i32,
    },
    TimedOut {
        name: &'a str,
    },
    NowReturning {
        name: &'a str,
        status: i32,
    },
    Skipping {
        name: &'a str,
        being_killed: bool,
    },
    /// Logged by keepalived's forked child (LOG_ALERT) before it exits 0.
    ExecFailed {
        command: &'a str,
        errno: i32,
        description: &'a str,
    },
    ForkFailed,
    /// Ours: `start` called on a script that never runs (a driver bug).
    NotRunnable {
        name: &'a str,
    },
    /// `track_file`: a value out of range (kept the previous value).
    InvalidTrackFileNumber {
        value: i64,
        path: &'a str,
    },
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Message::Succeeded { name } => f.write_str(&messages::script_succeeded(name)),
            Message::FailedStatus { name, status } => {
                f.write_str(&messages::script_failed_status(name, status))
            }
            Message::FailedSignal { name, signal } => {
                f.write_str(&messages::script_failed_signal(name, signal))
            }
            Message::TimedOut { name } => f.write_str(&messages::script_timed_out(name)),
            Message::NowReturning { name, status } => {
                f.write_str(&messages::script_now_returning(name, status))
            }
            Message::Skipping { name, being_killed } => {
                f.write_str(&messages::script_skipping(name, being_killed))
            }
            Message::ExecFailed {
                command,
                errno,
                description,
            } => f.write_str(&messages::exec_failed(command, errno, description)),
            Message::ForkFailed => f.write_str(messages::fork_failed()),
            Message::NotRunnable { name } => f.write_str(&messages::script_disabled(name)),
            Message::InvalidTrackFileNumber { value, path } => {
                f.write_str(&messages::invalid_track_file_number(value, path))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::Script;
    use crate::script::SpawnError;

    const S: Micros = 1_000_000;

    fn vscript(rise: u32, fall: u32, init_fail: bool) -> VrrpScript {
        VrrpScript {
            name: "chk".into(),
            script: Some(Script {
                args: vec!["/usr/local/bin/chk.sh".into()],
                ..Script::default()
            }),
            interval: 2 * S,
            timeout: None,
            rise,
            fall,
            init_fail,
            ..VrrpScript::default()
        }
    }

    fn log(m: &str) -> TrackEvent {
        TrackEvent::Log { message: m.into() }
    }

    const UP: TrackEvent = TrackEvent::Status(TrackStatus::Up);
    const DOWN: TrackEvent = TrackEvent::Status(TrackStatus::Down);

    /// Runs one tick at the due time and finishes it 10 ms later.
    fn run(t: &mut ScriptTracker, outcome: ScriptOutcome) -> Vec<TrackEvent> {
        let now = t.poll_timeout().expect("scheduled");
        assert!(matches!(t.start(now), Start::Run { .. }));
        t.finished(now + 10_000, outcome)
    }

    use ScriptOutcome::{Exited, Signaled, TimedOut};

    #[test]
    fn first_result_is_always_reported() {
        let mut t = ScriptTracker::new(&vscript(3, 3, false), 0);
        assert_eq!(t.status(), None);
        assert_eq!(
            run(&mut t, Exited(0)),
            [log("VRRP_Script(chk) succeeded"), UP]
        );
        assert_eq!(t.status(), Some(TrackStatus::Up));

        let mut t = ScriptTracker::new(&vscript(3, 3, false), 0);
        assert_eq!(
            run(&mut t, Exited(1)),
            [
                log("Script `chk` now returning 1"),
                log("VRRP_Script(chk) failed (exited with status 1)"),
                DOWN
            ]
        );
        assert_eq!(t.status(), Some(TrackStatus::Down));
    }

    #[test]
    fn fall_failures_to_go_down_rise_successes_to_come_back() {
        let mut t = ScriptTracker::new(&vscript(2, 3, false), 0);
        assert_eq!(
            run(&mut t, Exited(0)),
            [log("VRRP_Script(chk) succeeded"), UP]
        );
        assert_eq!(
            run(&mut t, Exited(2)),
            [log("Script `chk` now returning 2")]
        );
        assert_eq!(run(&mut t, Exited(2)), []);
        // A success in between resets the fall count.
        assert_eq!(
            run(&mut t, Exited(0)),
            [log("Script `chk` now returning 0")]
        );
        assert_eq!(run(&mut t, Signaled(9)), []);
        assert_eq!(run(&mut t, TimedOut), []);
        assert_eq!(
            run(&mut t, Signaled(9)),
            [log("VRRP_Script(chk) failed (due to signal 9)"), DOWN]
        );
        // Further failures are silent.
        assert_eq!(run(&mut t, TimedOut), []);
        assert_eq!(run(&mut t, Exited(0)), []);
        assert_eq!(t.status(), Some(TrackStatus::Down));
        assert_eq!(
            run(&mut t, Exited(0)),
            [log("VRRP_Script(chk) succeeded"), UP]
        );
    }

    #[test]
    fn timeout_message() {
        let mut t = ScriptTracker::new(&vscript(1, 1, false), 0);
        run(&mut t, Exited(0));
        assert_eq!(
            run(&mut t, TimedOut),
            [log("VRRP_Script(chk) timed_out"), DOWN]
        );
    }

    #[test]
    fn init_fail_needs_rise_successes_and_is_quiet_while_failing() {
        let mut t = ScriptTracker::new(&vscript(2, 1, true), 0);
        assert_eq!(t.status(), Some(TrackStatus::Down));
        assert_eq!(
            run(&mut t, Exited(1)),
            [log("Script `chk` now returning 1")]
        );
        assert_eq!(
            run(&mut t, Exited(0)),
            [log("Script `chk` now returning 0")]
        );
        assert_eq!(
            run(&mut t, Exited(0)),
            [log("VRRP_Script(chk) succeeded"), UP]
        );
    }

    #[test]
    fn exec_failure_counts_as_success_fork_failure_as_nothing() {
        let mut t = ScriptTracker::new(&vscript(1, 1, false), 0);
        run(&mut t, Exited(1));
        let enoent = ScriptOutcome::SpawnFailed(SpawnError {
            errno: libc::ENOENT,
        });
        assert_eq!(
            run(&mut t, enoent),
            [
                log(
                    "Error exec-ing command '/usr/local/bin/chk.sh', error 2: No such file or directory"
                ),
                log("Script `chk` now returning 0"),
                log("VRRP_Script(chk) succeeded"),
                UP
            ]
        );
        let eagain = ScriptOutcome::SpawnFailed(SpawnError {
            errno: libc::EAGAIN,
        });
        assert_eq!(run(&mut t, eagain), [log("Failed fork process")]);
        assert!(!t.is_running());
        // A fork failure on the very first run leaves the script in init.
        let mut t = ScriptTracker::new(&vscript(1, 1, false), 0);
        run(&mut t, eagain);
        assert_eq!(t.status(), None);
    }

    #[test]
    fn schedule_runs_at_start_then_every_interval_and_skips_while_running() {
        let mut cfg = vscript(1, 1, false);
        cfg.timeout = Some(S);
        let mut t = ScriptTracker::new(&cfg, 5 * S);
        assert_eq!(t.poll_timeout(), Some(5 * S));
        assert_eq!(
            t.start(5 * S),
            Start::Run {
                timeout: t.timeout()
            }
        );
        assert_eq!(t.timeout(), Duration::from_secs(1));
        assert_eq!(t.poll_timeout(), Some(7 * S));
        t.finished(5 * S + 300_000, Exited(0));
        assert_eq!(t.poll_timeout(), Some(7 * S));
        // A run that outlives its timeout and ignores SIGTERM.
        assert!(matches!(t.start(7 * S), Start::Run { .. }));
        assert_eq!(
            t.start(9 * S),
            Start::Skip(log(
                "Track script chk is being timed out, expect idle - skipping run"
            ))
        );
        assert_eq!(t.poll_timeout(), Some(11 * S));
        assert_eq!(
            t.finished(10 * S, TimedOut),
            [log("VRRP_Script(chk) timed_out"), DOWN]
        );
        assert!(matches!(t.start(11 * S), Start::Run { .. }));
    }

    #[test]
    fn restart_at_reload_forgets_the_run_and_runs_at_once_keeping_the_count() {
        let mut t = ScriptTracker::new(&vscript(1, 1, false), 0);
        assert!(matches!(t.start(0), Start::Run { .. }));
        t.finished(S / 2, Exited(1));
        assert_eq!(t.status(), Some(TrackStatus::Down));
        assert!(matches!(t.start(2 * S), Start::Run { .. }));
        t.restart(2 * S + 500_000);
        assert!(!t.is_running());
        assert_eq!(t.poll_timeout(), Some(2 * S + 500_000));
        assert_eq!(t.status(), Some(TrackStatus::Down));
        assert!(matches!(t.start(2 * S + 500_000), Start::Run { .. }));
    }

    #[test]
    fn default_timeout_is_the_interval_and_the_tick_at_the_deadline_is_already_running() {
        let mut t = ScriptTracker::new(&vscript(1, 1, false), 0);
        assert_eq!(t.timeout(), Duration::from_secs(2));
        assert!(matches!(t.start(0), Start::Run { .. }));
        assert_eq!(
            t.start(2 * S),
            Start::Skip(log(
                "Track script chk is already running, expect idle - skipping run"
            ))
        );
    }

    #[test]
    fn removed_scripts_never_run() {
        let mut cfg = vscript(1, 1, false);
        cfg.removed = true;
        assert_eq!(ScriptTracker::new(&cfg, 0).poll_timeout(), None);
        cfg.removed = false;
        cfg.script = None;
        assert_eq!(ScriptTracker::new(&cfg, 0).poll_timeout(), None);
    }

    #[test]
    fn input_names_the_script() {
        let t = ScriptTracker::new(&vscript(1, 1, false), 0);
        assert_eq!(
            t.input(TrackStatus::Up),
            Input::Track {
                kind: TrackKind::Script,
                name: "chk".into(),
                status: TrackStatus::Up
            }
        );
    }

    #[test]
    fn counter_stays_within_keepalived_bounds() {
        // Property: whatever the outcomes, result stays in 0..rise+fall and a
        // status event is emitted exactly when status() changes.
        let outcomes = [
            Exited(0),
            Exited(1),
            TimedOut,
            Signaled(15),
            Exited(0),
            Exited(0),
        ];
        for rise in 1..4 {
            for fall in 1..4 {
                let mut t = ScriptTracker::new(&vscript(rise, fall, false), 0);
                let mut seed = rise * 7 + fall;
                for _ in 0..200 {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let before = t.status();
                    let ev = run(&mut t, outcomes[(seed >> 8) as usize % outcomes.len()]);
                    assert!(t.result < rise + fall);
                    let changed = ev.iter().any(|e| matches!(e, TrackEvent::Status(_)));
                    assert_eq!(changed, before != t.status(), "rise {rise} fall {fall}");
                }
            }
        }
    }
}
