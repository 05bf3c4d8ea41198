//! The `vrrp_script`s the driver runs: one tracker per script that some
//! instance tracks (keepalived does not run scripts nobody tracks).
//!
//! A reload keeps the tracker (and so its rise/fall count and status) of
//! every script whose configuration did not change, as keepalived carries
//! script results across a reload. Runs in flight report to the tracker by
//! its `id`; a reload gives kept trackers a new one, so that the runs it
//! SIGTERMs (keepalived's `script_killall` at reload) report to nobody.

use crate::config::model::{Config, VrrpScript};
use crate::script::ScriptSpec;
use crate::vrrp::Micros;
use crate::vrrp::TrackKind;
use crate::vrrp::track_script::ScriptTracker;

use super::node::Node;

pub struct Runner {
    /// Unique for the child's life; script runs report under it.
    pub id: u64,
    pub tracker: ScriptTracker,
    /// `None` when the script was dropped by validation.
    pub spec: Option<ScriptSpec>,
    /// The script's configuration (less its position), to tell on reload
    /// whether it changed.
    fingerprint: String,
}

fn fingerprint(s: &VrrpScript) -> String {
    format!(
        "{:?}",
        VrrpScript {
            span: None,
            ..s.clone()
        }
    )
}

/// Trackers for the scripts the `nodes` track, first run due at `now`.
/// Those of `old` whose configuration is unchanged keep their counts, with
/// a new id and their next run due at `now` too; `next_id` numbers them.
pub fn build(
    cfg: &Config,
    nodes: &[Node],
    now: Micros,
    mut old: Vec<Runner>,
    next_id: &mut u64,
) -> Vec<Runner> {
    cfg.vrrp_scripts
        .iter()
        .filter(|s| !s.removed)
        .filter(|s| {
            nodes.iter().any(|n| {
                n.fsm
                    .settings()
                    .trackers
                    .iter()
                    .any(|t| t.kind == TrackKind::Script && t.name == s.name)
            })
        })
        .map(|s| {
            let fp = fingerprint(s);
            if let Some(j) = old
                .iter()
                .position(|r| r.tracker.name() == s.name && r.fingerprint == fp)
            {
                let mut kept = old.swap_remove(j);
                *next_id += 1;
                kept.id = *next_id;
                kept.tracker.restart(now);
                return kept;
            }
            *next_id += 1;
            Runner {
                id: *next_id,
                tracker: ScriptTracker::new(s, now),
                spec: s.script.as_ref().map(ScriptSpec::from),
                fingerprint: fp,
            }
        })
        .collect()
}
