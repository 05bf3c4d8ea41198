//! The `vrrp_script`s the driver runs: one tracker per script that some
//! instance tracks (keepalived does not run scripts nobody tracks).

use crate::config::model::Config;
use crate::script::ScriptSpec;
use crate::vrrp::Micros;
use crate::vrrp::TrackKind;
use crate::vrrp::track_script::ScriptTracker;

use super::node::Node;

pub struct Runner {
    pub tracker: ScriptTracker,
    /// `None` when the script was dropped by validation.
    pub spec: Option<ScriptSpec>,
}

/// Trackers for the scripts the `nodes` track, first run due at `now`.
pub fn build(cfg: &Config, nodes: &[Node], now: Micros) -> Vec<Runner> {
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
        .map(|s| Runner {
            tracker: ScriptTracker::new(s, now),
            spec: s.script.as_ref().map(ScriptSpec::from),
        })
        .collect()
}
