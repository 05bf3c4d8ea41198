//! Which checker events are mailed, and with what wording: keepalived
//! 2.2.7's checkers (`check_tcp.c`, `check_http.c`, …) mail when their own
//! verdict flips, and `ipwrapper.c`'s `do_vs_notifies()` mails quorum
//! changes. Pure: the checker driver passes the decision state around the
//! change and gets back the [`AlertEvent`] to send, if any.

use crate::check::decision::{rs_name, vs_name};
use crate::config::model::{CheckerKind, Config};

use super::event::{AlertEvent, CheckReason, MiscResult, QuorumNote};
use super::gate::{real_server_smtp_alert, rs_mail_due, virtual_server_smtp_alert};

/// The body wording of checker `kind` for its new verdict `up`. FILE_CHECK
/// sends no mail in keepalived (`None`). `detail`: what the failing attempt
/// reported, which SMTP_CHECK puts in its DOWN mail (keepalived's
/// `smtp_final()` formats "=> CHECK failed on service : <reason> <=" with
/// the reason it logs after "SMTP_CHECK "); see [`smtp_detail`].
pub fn check_reason(
    kind: CheckerKind,
    up: bool,
    bfd_name: Option<&str>,
    detail: Option<&str>,
) -> Option<CheckReason> {
    Some(match kind {
        CheckerKind::Tcp => CheckReason::Tcp { up },
        CheckerKind::HttpGet | CheckerKind::SslGet => CheckReason::Http { up },
        CheckerKind::Smtp => CheckReason::Smtp {
            up,
            detail: if up { None } else { detail.map(str::to_owned) },
        },
        CheckerKind::Misc => CheckReason::Misc(if up {
            MiscResult::Succeeded
        } else {
            MiscResult::Failed
        }),
        CheckerKind::Dns => CheckReason::Dns { up },
        CheckerKind::Udp => CheckReason::Udp { up },
        CheckerKind::Ping => CheckReason::Icmp { up },
        CheckerKind::Bfd => CheckReason::Bfd {
            name: bfd_name.unwrap_or_default().to_owned(),
            up,
        },
        CheckerKind::File => return None,
    })
}

/// The reason in an SMTP_CHECK failure line (`SMTP_CHECK Read timeout
/// from server [192.0.2.5]:25` gives `Read timeout from server
/// [192.0.2.5]:25`): the probe reports the line keepalived logs, the mail
/// wants the reason alone.
pub fn smtp_detail(failure_line: &str) -> Option<&str> {
    failure_line.strip_prefix(&crate::messages::smtp_check_failed(""))
}

/// Checker `ck` of real server `rs` of virtual server `vs` flipped to
/// `checker_up`; the real server was `rs_was_alive` and is now `rs_alive`.
/// `detail`: the failing attempt's reason (SMTP_CHECK mails it).
/// The mail, when keepalived sends one: the RS's `smtp_alert` (defaulted
/// from `smtp_alert_checker`, `smtp_alert`, then on) and either an RS
/// state change or `no_checker_emails` off.
pub fn rs_mail(
    cfg: &Config,
    vs: usize,
    rs: usize,
    ck: usize,
    checker_up: bool,
    (rs_was_alive, rs_alive): (bool, bool),
    detail: Option<&str>,
) -> Option<AlertEvent> {
    let v = cfg.virtual_servers.get(vs)?;
    let r = v.real_servers.get(rs)?;
    let c = r.checkers.get(ck)?;
    let g = &cfg.global;
    let due = rs_mail_due(
        real_server_smtp_alert(r.smtp_alert, g),
        rs_was_alive,
        rs_alive,
        g.no_checker_emails,
    );
    if !due {
        return None;
    }
    let bfd = c.ext.as_ref().and_then(|e| e.bfd_name.as_deref());
    Some(AlertEvent::RealServer {
        rs: rs_name(v, r),
        vs: vs_name(v),
        rs_alive,
        reason: check_reason(c.kind, checker_up, bfd, detail)?,
    })
}

/// How a virtual server's quorum changed, for its mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuorumChange {
    pub up: bool,
    /// Found by the start-up/reload evaluation ("Starting with quorum …").
    pub init: bool,
    /// The threshold keepalived compared with: quorum + hysteresis when
    /// gaining (or starting down with a sorry server), quorum - hysteresis
    /// when losing.
    pub threshold: i64,
    pub weight_sum: i64,
}

/// Virtual server `vs`'s quorum changed: the mail when the VS's
/// `smtp_alert` (defaulted from `smtp_alert_checker`, `smtp_alert`, then
/// off) is on.
pub fn quorum_mail(cfg: &Config, vs: usize, ch: QuorumChange) -> Option<AlertEvent> {
    let v = cfg.virtual_servers.get(vs)?;
    if !virtual_server_smtp_alert(v.smtp_alert, &cfg.global) {
        return None;
    }
    Some(AlertEvent::VirtualServer {
        vs: vs_name(v),
        quorum_up: ch.up,
        note: QuorumNote::Change {
            init: ch.init,
            quorum: v.quorum,
            hysteresis: v.hysteresis,
            threshold: ch.threshold,
            weight_sum: ch.weight_sum,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{Checker, RealServer, VirtualServer, VsAddr};

    fn cfg() -> Config {
        let mut v = VirtualServer::new(
            VsAddr::Ip {
                addr: "198.51.100.1".parse().unwrap(),
                port: 80,
            },
            None,
        );
        v.protocol = Some(crate::config::model::Protocol::Tcp);
        let mut r = RealServer::new("192.0.2.2".parse().unwrap(), 80, None);
        r.checkers.push(Checker::new(CheckerKind::Tcp, None));
        v.real_servers.push(r);
        let mut c = Config::default();
        c.virtual_servers.push(v);
        c
    }

    #[test]
    fn rs_mail_names_the_servers_and_the_checker() {
        let c = cfg();
        let e = rs_mail(&c, 0, 0, 0, false, (true, false), None).unwrap();
        assert_eq!(
            e.subject("r"),
            "[r] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN"
        );
        assert_eq!(e.body(), "=> TCP CHECK failed on service <=");
        let e = rs_mail(&c, 0, 0, 0, true, (false, true), None).unwrap();
        assert_eq!(e.body(), "=> TCP CHECK succeed on service <=");
    }

    #[test]
    fn rs_mail_honours_smtp_alert_and_no_checker_emails() {
        let mut c = cfg();
        // Another checker keeps the RS down: mailed unless no_checker_emails.
        assert!(rs_mail(&c, 0, 0, 0, true, (false, false), None).is_some());
        c.global.no_checker_emails = true;
        assert!(rs_mail(&c, 0, 0, 0, true, (false, false), None).is_none());
        assert!(rs_mail(&c, 0, 0, 0, true, (false, true), None).is_some());
        c.global.smtp_alert_checker = Some(false);
        assert!(rs_mail(&c, 0, 0, 0, true, (false, true), None).is_none());
        c.virtual_servers[0].real_servers[0].smtp_alert = Some(true);
        assert!(rs_mail(&c, 0, 0, 0, true, (false, true), None).is_some());
    }

    #[test]
    fn quorum_mail_is_off_by_default() {
        let mut c = cfg();
        let ch = |up, init, threshold, weight_sum| QuorumChange {
            up,
            init,
            threshold,
            weight_sum,
        };
        assert!(quorum_mail(&c, 0, ch(false, false, 1, 0)).is_none());
        c.global.smtp_alert = Some(true);
        c.virtual_servers[0].quorum = 2;
        c.virtual_servers[0].hysteresis = 1;
        let e = quorum_mail(&c, 0, ch(false, false, 1, 0)).unwrap();
        assert_eq!(
            e.subject("r"),
            "[r] Virtualserver [198.51.100.1]:tcp:80 - DOWN"
        );
        assert_eq!(e.body(), "=> Lost quorum 2+1=1 <= 0 <=");
        let e = quorum_mail(&c, 0, ch(true, false, 3, 3)).unwrap();
        assert_eq!(e.body(), "=> Gained quorum 2+1=3 <= 3 <=");
        let e = quorum_mail(&c, 0, ch(false, true, 3, 1)).unwrap();
        assert_eq!(e.body(), "=> Starting with quorum down 2+1=3 <= 1 <=");
        c.virtual_servers[0].smtp_alert = Some(false);
        assert!(quorum_mail(&c, 0, ch(true, false, 3, 3)).is_none());
    }

    #[test]
    fn smtp_check_down_mail_carries_the_failing_reason() {
        let mut c = cfg();
        c.virtual_servers[0].real_servers[0].checkers[0].kind = CheckerKind::Smtp;
        let line = crate::messages::smtp_check_failed(&crate::messages::smtp_check_bad_greeting(
            "[192.0.2.2]:80",
        ));
        let detail = smtp_detail(&line);
        assert_eq!(
            detail,
            Some("Bad greeting banner from server [192.0.2.2]:80")
        );
        let e = rs_mail(&c, 0, 0, 0, false, (true, false), detail).unwrap();
        assert_eq!(
            e.body(),
            "=> CHECK failed on service : Bad greeting banner from server [192.0.2.2]:80 <="
        );
        // the UP mail has no reason
        let e = rs_mail(&c, 0, 0, 0, true, (false, true), detail).unwrap();
        assert_eq!(e.body(), "=> CHECK succeed on service <=");
        assert_eq!(smtp_detail("TCP connection to x failed."), None);
    }

    #[test]
    fn file_check_is_not_mailed() {
        assert_eq!(check_reason(CheckerKind::File, true, None, None), None);
        assert_eq!(
            check_reason(CheckerKind::Ping, false, None, None),
            Some(CheckReason::Icmp { up: false })
        );
    }
}
