//! What an alert is about, and its Subject and body exactly as keepalived
//! 2.2.7 words them.

use crate::vrrp::notify::NotifyEvent;

/// keepalived's `MAX_HEADERS_LENGTH` buffer: subjects are cut to 255 bytes.
const MAX_SUBJECT: usize = 255;
/// keepalived's `MAX_BODY_LENGTH` buffer: bodies are cut to 511 bytes.
const MAX_BODY: usize = 511;
/// The BFD checker formats its body in an 80-byte buffer.
const MAX_BFD_BODY: usize = 79;

/// The VRRP instance states that are mailed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceState {
    Master,
    Backup,
    Fault,
    Stop,
    /// Removed by a reload, with `notify_deleted` configured (without it
    /// keepalived reports — and mails — FAULT instead; pass the event
    /// [`crate::vrrp::notify::instance_notify`] returns).
    Deleted,
}

impl InstanceState {
    /// The mailed state for a notify event; FIFO-only events give `None`.
    pub fn from_notify(event: NotifyEvent) -> Option<InstanceState> {
        Some(match event {
            NotifyEvent::Master => InstanceState::Master,
            NotifyEvent::Backup => InstanceState::Backup,
            NotifyEvent::Fault => InstanceState::Fault,
            NotifyEvent::Stop => InstanceState::Stop,
            NotifyEvent::Deleted => InstanceState::Deleted,
            _ => return None,
        })
    }
}

/// The sync group states that are mailed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupState {
    Master,
    Backup,
    Fault,
    Stop,
}

impl GroupState {
    pub fn from_notify(event: NotifyEvent) -> Option<GroupState> {
        Some(match event {
            NotifyEvent::Master => GroupState::Master,
            NotifyEvent::Backup => GroupState::Backup,
            NotifyEvent::Fault => GroupState::Fault,
            NotifyEvent::Stop => GroupState::Stop,
            _ => return None,
        })
    }
}

/// How a MISC_CHECK script ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiscResult {
    Succeeded,
    Failed,
    TimedOut,
}

/// Which checker changed its verdict, and how: each checker words its own
/// body. `up` is the checker's new verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckReason {
    Tcp {
        up: bool,
    },
    /// HTTP_GET and SSL_GET (the same text for both).
    Http {
        up: bool,
    },
    /// SMTP_CHECK; `detail` is the failure text keepalived formats (e.g.
    /// `Read timeout from server [192.0.2.5]:25`), `None` for a failure
    /// without one.
    Smtp {
        up: bool,
        detail: Option<String>,
    },
    Misc(MiscResult),
    Dns {
        up: bool,
    },
    Udp {
        up: bool,
    },
    /// PING_CHECK.
    Icmp {
        up: bool,
    },
    /// BFD_CHECK on the named BFD instance.
    Bfd {
        name: String,
        up: bool,
    },
}

/// A VS quorum mail's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuorumNote {
    /// Quorum gained or lost (`init`: the first evaluation at start-up).
    /// keepalived prints `quorum+hysteresis=threshold` even where the
    /// threshold it passes is `quorum - hysteresis` (losing quorum).
    Change {
        init: bool,
        quorum: u32,
        hysteresis: u32,
        threshold: i64,
        weight_sum: i64,
    },
    /// The checker is stopping (only with `omega`).
    ShuttingDown,
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlertEvent {
    Instance {
        name: String,
        state: InstanceState,
    },
    Group {
        name: String,
        state: GroupState,
    },
    /// A checker changed its verdict. `rs` and `vs` are keepalived's
    /// `FMT_RS`/`FMT_VS` texts (`[192.0.2.2]:tcp:80`); `rs_alive` is the
    /// real server's state *after* the change, which is what the subject
    /// shows (with several checkers, a succeeding one can mail "DOWN").
    RealServer {
        rs: String,
        vs: String,
        rs_alive: bool,
        reason: CheckReason,
    },
    /// A live real server taken out of IPVS at shutdown (`shutdown`, only
    /// with `omega`) or by a reload.
    RealServerRemoved {
        rs: String,
        vs: String,
        shutdown: bool,
    },
    VirtualServer {
        vs: String,
        quorum_up: bool,
        note: QuorumNote,
    },
}

impl AlertEvent {
    /// The Subject header, with the `[router_id]` prefix.
    pub fn subject(&self, router_id: &str) -> String {
        let s = match self {
            AlertEvent::Instance { name, state } => {
                let what = match state {
                    InstanceState::Master => "Entering MASTER state",
                    InstanceState::Backup => "Entering BACKUP state",
                    InstanceState::Fault => "Entering FAULT state",
                    InstanceState::Stop => "Stopping",
                    InstanceState::Deleted => "Deleted",
                };
                format!("[{router_id}] VRRP Instance {name} - {what}")
            }
            AlertEvent::Group { name, state } => {
                let what = match state {
                    GroupState::Master => "Entering MASTER state",
                    GroupState::Backup => "Entering BACKUP state",
                    GroupState::Fault => "Entering FAULT state",
                    GroupState::Stop => "Stopping",
                };
                format!("[{router_id}] VRRP Group {name} - {what}")
            }
            AlertEvent::RealServer {
                rs, vs, rs_alive, ..
            } => format!(
                "[{router_id}] Realserver {rs} of virtual server {vs} - {}",
                up_down(*rs_alive)
            ),
            AlertEvent::RealServerRemoved { rs, vs, .. } => {
                format!("[{router_id}] Realserver {rs} of virtual server {vs} - DOWN")
            }
            AlertEvent::VirtualServer { vs, quorum_up, .. } => {
                format!("[{router_id}] Virtualserver {vs} - {}", up_down(*quorum_up))
            }
        };
        truncate(s, MAX_SUBJECT)
    }

    /// The body text (one line, no line end).
    pub fn body(&self) -> String {
        let s = match self {
            AlertEvent::Instance { state, .. } => match state {
                InstanceState::Master => "=> VRRP Instance is now owning VRRP VIPs <=",
                InstanceState::Backup | InstanceState::Fault => {
                    "=> VRRP Instance is no longer owning VRRP VIPs <="
                }
                InstanceState::Stop => "=> VRRP Instance stopping <=",
                InstanceState::Deleted => "=> VRRP Deleted at reload <=",
            }
            .to_owned(),
            AlertEvent::Group { state, .. } => match state {
                GroupState::Master => "=> All VRRP group instances are now in MASTER state <=",
                GroupState::Backup => "=> All VRRP group instances are now in BACKUP state <=",
                GroupState::Fault => "=> All VRRP group instances are now in FAULT state <=",
                GroupState::Stop => "=> All VRRP group instances are now stopping <=",
            }
            .to_owned(),
            AlertEvent::RealServer { reason, .. } => check_body(reason),
            AlertEvent::RealServerRemoved { shutdown, .. } => if *shutdown {
                "=> Shutting down <="
            } else {
                "=> Removing <="
            }
            .to_owned(),
            AlertEvent::VirtualServer {
                quorum_up, note, ..
            } => match note {
                QuorumNote::ShuttingDown => "=> Shutting down <=".to_owned(),
                QuorumNote::Change {
                    init,
                    quorum,
                    hysteresis,
                    threshold,
                    weight_sum,
                } => {
                    let what = match (quorum_up, init) {
                        (true, true) => "Starting with quorum up",
                        (true, false) => "Gained quorum",
                        (false, true) => "Starting with quorum down",
                        (false, false) => "Lost quorum",
                    };
                    format!("=> {what} {quorum}+{hysteresis}={threshold} <= {weight_sum} <=")
                }
            },
        };
        truncate(s, MAX_BODY)
    }
}

fn check_body(reason: &CheckReason) -> String {
    let sf = |up: bool| if up { "succeed" } else { "failed" };
    match reason {
        CheckReason::Tcp { up } => format!("=> TCP CHECK {} on service <=", sf(*up)),
        CheckReason::Udp { up } => format!("=> UDP CHECK {} on service <=", sf(*up)),
        CheckReason::Icmp { up } => format!("=> ICMP CHECK {} on service <=", sf(*up)),
        CheckReason::Dns { up } => format!("=> DNS_CHECK: {} on service <=", sf(*up)),
        CheckReason::Http { up: true } | CheckReason::Smtp { up: true, .. } => {
            "=> CHECK succeed on service <=".to_owned()
        }
        CheckReason::Http { up: false } => {
            "=> CHECK failed on service : HTTP request failed <=".to_owned()
        }
        CheckReason::Smtp {
            up: false,
            detail: Some(d),
        } => format!("=> CHECK failed on service : {d} <="),
        CheckReason::Smtp {
            up: false,
            detail: None,
        } => "=> CHECK failed on service <=".to_owned(),
        CheckReason::Misc(r) => {
            let how = match r {
                MiscResult::Succeeded => "succeeded",
                MiscResult::Failed => "failed",
                MiscResult::TimedOut => "timed out",
            };
            format!("=> MISC CHECK {how} on service <=")
        }
        CheckReason::Bfd { name, up } => truncate(
            format!(
                "=> BFD CHECK {name} {} on service <=",
                if *up { "succeeded" } else { "failed" }
            ),
            MAX_BFD_BODY,
        ),
    }
}

fn up_down(up: bool) -> &'static str {
    if up { "UP" } else { "DOWN" }
}

/// Cuts `s` to at most `max` bytes, as keepalived's fixed buffers do (on a
/// character boundary, where C would cut a UTF-8 sequence).
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(state: InstanceState) -> AlertEvent {
        AlertEvent::Instance {
            name: "VI_1".into(),
            state,
        }
    }

    #[test]
    fn instance_wording() {
        let cases = [
            (
                InstanceState::Master,
                "Entering MASTER state",
                "=> VRRP Instance is now owning VRRP VIPs <=",
            ),
            (
                InstanceState::Backup,
                "Entering BACKUP state",
                "=> VRRP Instance is no longer owning VRRP VIPs <=",
            ),
            (
                InstanceState::Fault,
                "Entering FAULT state",
                "=> VRRP Instance is no longer owning VRRP VIPs <=",
            ),
            (
                InstanceState::Stop,
                "Stopping",
                "=> VRRP Instance stopping <=",
            ),
            (
                InstanceState::Deleted,
                "Deleted",
                "=> VRRP Deleted at reload <=",
            ),
        ];
        for (state, subject, body) in cases {
            let e = inst(state);
            assert_eq!(
                e.subject("LVS_1"),
                format!("[LVS_1] VRRP Instance VI_1 - {subject}")
            );
            assert_eq!(e.body(), body);
        }
    }

    #[test]
    fn group_wording() {
        let e = AlertEvent::Group {
            name: "G1".into(),
            state: GroupState::Fault,
        };
        assert_eq!(e.subject("r"), "[r] VRRP Group G1 - Entering FAULT state");
        assert_eq!(
            e.body(),
            "=> All VRRP group instances are now in FAULT state <="
        );
        let e = AlertEvent::Group {
            name: "G1".into(),
            state: GroupState::Stop,
        };
        assert_eq!(e.subject("r"), "[r] VRRP Group G1 - Stopping");
        assert_eq!(e.body(), "=> All VRRP group instances are now stopping <=");
    }

    #[test]
    fn notify_events_map_to_mailed_states() {
        assert_eq!(
            InstanceState::from_notify(NotifyEvent::Deleted),
            Some(InstanceState::Deleted)
        );
        assert_eq!(
            InstanceState::from_notify(NotifyEvent::MasterRxLowerPri),
            None
        );
        assert_eq!(GroupState::from_notify(NotifyEvent::Deleted), None);
        assert_eq!(
            GroupState::from_notify(NotifyEvent::Backup),
            Some(GroupState::Backup)
        );
    }

    fn rs(rs_alive: bool, reason: CheckReason) -> AlertEvent {
        AlertEvent::RealServer {
            rs: "[192.0.2.2]:tcp:80".into(),
            vs: "[198.51.100.1]:tcp:80".into(),
            rs_alive,
            reason,
        }
    }

    #[test]
    fn real_server_wording() {
        let e = rs(false, CheckReason::Tcp { up: false });
        assert_eq!(
            e.subject("r"),
            "[r] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN"
        );
        assert_eq!(e.body(), "=> TCP CHECK failed on service <=");
        let bodies = [
            (
                CheckReason::Tcp { up: true },
                "=> TCP CHECK succeed on service <=",
            ),
            (
                CheckReason::Udp { up: false },
                "=> UDP CHECK failed on service <=",
            ),
            (
                CheckReason::Icmp { up: true },
                "=> ICMP CHECK succeed on service <=",
            ),
            (
                CheckReason::Dns { up: false },
                "=> DNS_CHECK: failed on service <=",
            ),
            (
                CheckReason::Dns { up: true },
                "=> DNS_CHECK: succeed on service <=",
            ),
            (
                CheckReason::Http { up: true },
                "=> CHECK succeed on service <=",
            ),
            (
                CheckReason::Http { up: false },
                "=> CHECK failed on service : HTTP request failed <=",
            ),
            (
                CheckReason::Smtp {
                    up: false,
                    detail: Some("Read timeout from server [192.0.2.2]:25".into()),
                },
                "=> CHECK failed on service : Read timeout from server [192.0.2.2]:25 <=",
            ),
            (
                CheckReason::Smtp {
                    up: false,
                    detail: None,
                },
                "=> CHECK failed on service <=",
            ),
            (
                CheckReason::Misc(MiscResult::TimedOut),
                "=> MISC CHECK timed out on service <=",
            ),
            (
                CheckReason::Misc(MiscResult::Succeeded),
                "=> MISC CHECK succeeded on service <=",
            ),
            (
                CheckReason::Bfd {
                    name: "b1".into(),
                    up: true,
                },
                "=> BFD CHECK b1 succeeded on service <=",
            ),
        ];
        for (reason, body) in bodies {
            assert_eq!(rs(true, reason).body(), body);
        }
    }

    #[test]
    fn subject_shows_the_real_server_state_not_the_checker_verdict() {
        let e = rs(false, CheckReason::Tcp { up: true });
        assert!(e.subject("r").ends_with(" - DOWN"));
        assert_eq!(e.body(), "=> TCP CHECK succeed on service <=");
    }

    #[test]
    fn removal_and_quorum_wording() {
        let e = AlertEvent::RealServerRemoved {
            rs: "[192.0.2.2]:tcp:80".into(),
            vs: "[198.51.100.1]:tcp:80".into(),
            shutdown: true,
        };
        assert!(e.subject("r").ends_with("[198.51.100.1]:tcp:80 - DOWN"));
        assert_eq!(e.body(), "=> Shutting down <=");
        let e = AlertEvent::RealServerRemoved {
            rs: "a".into(),
            vs: "b".into(),
            shutdown: false,
        };
        assert_eq!(e.body(), "=> Removing <=");

        let vs = |up, init| AlertEvent::VirtualServer {
            vs: "[198.51.100.1]:tcp:80".into(),
            quorum_up: up,
            note: QuorumNote::Change {
                init,
                quorum: 3,
                hysteresis: 1,
                threshold: if up { 4 } else { 2 },
                weight_sum: 1,
            },
        };
        assert_eq!(
            vs(true, false).subject("r"),
            "[r] Virtualserver [198.51.100.1]:tcp:80 - UP"
        );
        assert_eq!(vs(true, false).body(), "=> Gained quorum 3+1=4 <= 1 <=");
        assert_eq!(vs(false, false).body(), "=> Lost quorum 3+1=2 <= 1 <=");
        assert_eq!(
            vs(true, true).body(),
            "=> Starting with quorum up 3+1=4 <= 1 <="
        );
        assert_eq!(
            vs(false, true).body(),
            "=> Starting with quorum down 3+1=2 <= 1 <="
        );
        let e = AlertEvent::VirtualServer {
            vs: "x".into(),
            quorum_up: false,
            note: QuorumNote::ShuttingDown,
        };
        assert_eq!(e.subject("r"), "[r] Virtualserver x - DOWN");
        assert_eq!(e.body(), "=> Shutting down <=");
    }

    #[test]
    fn fixed_buffers_cut_long_texts() {
        let e = AlertEvent::Instance {
            name: "N".repeat(300),
            state: InstanceState::Master,
        };
        assert_eq!(e.subject("r").len(), 255);
        let e = rs(
            true,
            CheckReason::Bfd {
                name: "b".repeat(100),
                up: false,
            },
        );
        assert_eq!(e.body().len(), 79);
        let e = rs(
            false,
            CheckReason::Smtp {
                up: false,
                detail: Some("é".repeat(400)),
            },
        );
        assert!(e.body().len() <= 511 && e.body().len() >= 510);
    }
}
