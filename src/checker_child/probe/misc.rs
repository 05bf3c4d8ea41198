//! MISC_CHECK (`check_misc.c`): run `misc_path` as its user, bounded by
//! `misc_timeout` (default: the virtual server's delay_loop); exit 0 is up.
//! With `misc_dynamic`, exits 0 and 2..=255 are up and carry a weight.

use std::time::Duration;

use super::ProbeOutcome;
use crate::config::model::{Checker, Script, VirtualServer};
use crate::messages;
use crate::script::{ScriptOutcome, ScriptSpec};
use crate::sys::spawn::run_script;

/// A resolved MISC_CHECK.
#[derive(Debug, Clone)]
pub struct MiscSpec {
    pub script: ScriptSpec,
    pub timeout: Duration,
    pub dynamic: bool,
}

impl MiscSpec {
    pub fn resolve(vs: &VirtualServer, ck: &Checker, script: &Script) -> MiscSpec {
        let ext = ck.ext();
        let us = ext
            .misc_timeout
            .filter(|t| *t != 0)
            .unwrap_or(vs.delay_loop);
        MiscSpec {
            script: ScriptSpec::from_script(script, &[]),
            timeout: Duration::from_micros(us),
            dynamic: ext.misc_dynamic,
        }
    }
}

/// What a finished run means (pure: the tests drive it with outcomes).
/// `rs`/`vs` are keepalived's `FMT_CHK()`/`FMT_VS()` texts. The Down texts
/// are keepalived's "Misc check for …" lines without the retry phrase
/// (", will do N retries", " after N retries", …), which depends on the
/// caller's retry state.
pub fn judge(spec: &MiscSpec, outcome: ScriptOutcome, rs: &str, vs: &str) -> ProbeOutcome {
    let path = spec.script.args.first().map(String::as_str).unwrap_or("");
    let head = messages::misc_head(rs, vs, path);
    match outcome {
        ScriptOutcome::Exited(0) if spec.dynamic => ProbeOutcome::Dynamic(0),
        ScriptOutcome::Exited(0) => ProbeOutcome::Up,
        ScriptOutcome::Exited(c) if spec.dynamic && (2..=255).contains(&c) => {
            ProbeOutcome::Dynamic(c)
        }
        ScriptOutcome::Exited(c) => ProbeOutcome::Down(messages::misc_run_failed_status(&head, c)),
        ScriptOutcome::Signaled(s) => {
            ProbeOutcome::Down(messages::misc_run_failed_signal(&head, s))
        }
        ScriptOutcome::TimedOut => ProbeOutcome::Down(messages::misc_run_timed_out(&head)),
        ScriptOutcome::SpawnFailed(e) if e.is_fork_failure() => {
            ProbeOutcome::Down(messages::misc_run_fork_failed(&head, e.description()))
        }
        // keepalived's child exits 0 when exec fails: "Script errors aren't
        // server errors".
        ScriptOutcome::SpawnFailed(_) if spec.dynamic => ProbeOutcome::Dynamic(0),
        ScriptOutcome::SpawnFailed(_) => ProbeOutcome::Up,
    }
}

/// One MISC_CHECK run.
pub async fn probe(spec: &MiscSpec, rs: &str, vs: &str) -> ProbeOutcome {
    let outcome = run_script(&spec.script, Some(spec.timeout)).await;
    judge(spec, outcome, rs, vs)
}
