//! Which notify FIFOs a process opens, and the checker's FIFO lines
//! (keepalived's `init_global_data()` checks and `notify_fifo_vs/_rs`).
//! The VRRP lines are [`crate::vrrp::notify::fifo_line`].

use crate::config::model::{Fifo, GlobalDefs, Script};

/// The process that owns the FIFOs: each opens the global `notify_fifo`
/// plus its own (so with both processes running, a global FIFO's script is
/// started twice, as keepalived does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FifoProcess {
    Vrrp,
    Checker,
}

impl FifoProcess {
    /// The word in "… notify fifo script terminated".
    pub fn script_word(self) -> &'static str {
        match self {
            FifoProcess::Vrrp => "vrrp",
            FifoProcess::Checker => "lvs",
        }
    }
}

/// One FIFO to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FifoUse {
    pub path: String,
    /// The reader to start (the FIFO path is appended as its last word).
    pub script: Option<Script>,
    /// `""`, `"vrrp_"` or `"lvs_"`: the prefix in keepalived's messages
    /// ("Unable to open vrrp_notify fifo …").
    pub prefix: &'static str,
}

/// The FIFOs a process opens, global first, and what to log about the
/// configuration (LOG_INFO lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FifoPlan {
    pub global: Option<FifoUse>,
    pub own: Option<FifoUse>,
    pub notes: Vec<String>,
}

impl FifoPlan {
    /// The FIFOs in opening order.
    pub fn fifos(&self) -> impl Iterator<Item = &FifoUse> {
        self.global.iter().chain(self.own.iter())
    }
}

/// keepalived's rules: a process-specific FIFO with the global FIFO's path
/// is ignored (its lines would be written twice); in the checker, when the
/// LVS and VRRP FIFOs are one file and both have scripts, the LVS script
/// is dropped.
pub fn fifo_plan(g: &GlobalDefs, process: FifoProcess) -> FifoPlan {
    let mut notes = Vec::new();
    let global = g.notify_fifo.as_ref().map(|f| use_of(f, ""));
    let (own, prefix, label) = match process {
        FifoProcess::Vrrp => (g.vrrp_notify_fifo.as_ref(), "vrrp_", "vrrp"),
        FifoProcess::Checker => (g.lvs_notify_fifo.as_ref(), "lvs_", "LVS"),
    };
    let mut own = own.map(|f| use_of(f, prefix));
    if let (Some(gl), Some(o)) = (&global, &own) {
        if gl.path == o.path {
            notes.push(crate::messages::fifo_same_as_global(&o.path, label));
            own = None;
        }
    }
    if process == FifoProcess::Checker {
        if let (Some(o), Some(v)) = (&mut own, &g.vrrp_notify_fifo) {
            if o.path == v.path && o.script.is_some() && v.script.is_some() {
                notes.push(crate::messages::fifo_lvs_same_as_vrrp().to_owned());
                o.script = None;
            }
        }
    }
    FifoPlan { global, own, notes }
}

fn use_of(f: &Fifo, prefix: &'static str) -> FifoUse {
    FifoUse {
        path: f.path.clone(),
        script: f.script.clone(),
        prefix,
    }
}

/// A virtual server's quorum line: `VS [198.51.100.1]:tcp:80 UP\n`.
///
/// keepalived 2.2.7 writes exactly the line, no NUL: `notify_fifo_vs()`
/// sizes the write as the text's length (3 + 1 + 1 bytes of framing).
pub fn vs_line(vs: &str, quorum_up: bool) -> String {
    format!("VS {vs} {}\n", up_down(quorum_up))
}

/// A real server's line: `RS [192.0.2.2]:tcp:80 [198.51.100.1]:tcp:80 DOWN\n`
/// (no NUL either).
pub fn rs_line(rs: &str, vs: &str, alive: bool) -> String {
    format!("RS {rs} {vs} {}\n", up_down(alive))
}

fn up_down(up: bool) -> &'static str {
    if up { "UP" } else { "DOWN" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(path: &str, script: bool) -> Option<Fifo> {
        Some(Fifo {
            path: path.into(),
            script: script.then(|| Script {
                args: vec!["/reader.sh".into()],
                ..Script::default()
            }),
        })
    }

    #[test]
    fn global_first_then_own() {
        let g = GlobalDefs {
            notify_fifo: fifo("/run/g", false),
            vrrp_notify_fifo: fifo("/run/v", true),
            lvs_notify_fifo: fifo("/run/l", false),
            ..GlobalDefs::default()
        };
        let p = fifo_plan(&g, FifoProcess::Vrrp);
        let paths: Vec<_> = p.fifos().map(|f| (f.path.as_str(), f.prefix)).collect();
        assert_eq!(paths, [("/run/g", ""), ("/run/v", "vrrp_")]);
        assert!(p.notes.is_empty());
        let p = fifo_plan(&g, FifoProcess::Checker);
        let paths: Vec<_> = p.fifos().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/run/g", "/run/l"]);
    }

    #[test]
    fn own_fifo_equal_to_global_is_ignored() {
        let g = GlobalDefs {
            notify_fifo: fifo("/run/f", false),
            vrrp_notify_fifo: fifo("/run/f", true),
            lvs_notify_fifo: fifo("/run/f", true),
            ..GlobalDefs::default()
        };
        let p = fifo_plan(&g, FifoProcess::Vrrp);
        assert!(p.own.is_none());
        assert_eq!(
            p.notes,
            ["notify FIFO /run/f has been specified for global and vrrp FIFO - ignoring vrrp FIFO"]
        );
        let p = fifo_plan(&g, FifoProcess::Checker);
        assert!(p.own.is_none());
        assert_eq!(
            p.notes,
            ["notify FIFO /run/f has been specified for global and LVS FIFO - ignoring LVS FIFO"]
        );
    }

    #[test]
    fn shared_lvs_and_vrrp_fifo_keeps_only_the_vrrp_script() {
        let g = GlobalDefs {
            vrrp_notify_fifo: fifo("/run/f", true),
            lvs_notify_fifo: fifo("/run/f", true),
            ..GlobalDefs::default()
        };
        let p = fifo_plan(&g, FifoProcess::Checker);
        assert_eq!(p.own.as_ref().unwrap().script, None);
        assert_eq!(p.notes.len(), 1);
        let p = fifo_plan(&g, FifoProcess::Vrrp);
        assert!(p.own.unwrap().script.is_some());
    }

    #[test]
    fn checker_lines() {
        assert_eq!(
            vs_line("[198.51.100.1]:tcp:80", true),
            "VS [198.51.100.1]:tcp:80 UP\n"
        );
        assert_eq!(
            rs_line("[192.0.2.2]:tcp:80", "[198.51.100.1]:tcp:80", false),
            "RS [192.0.2.2]:tcp:80 [198.51.100.1]:tcp:80 DOWN\n"
        );
    }
}
