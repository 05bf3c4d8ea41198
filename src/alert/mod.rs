//! SMTP alerts and checker notify-FIFO lines, worded as keepalived 2.2.7
//! words them (`core/smtp.c`, `vrrp/vrrp_notify.c`, `check/ipwrapper.c`
//! and the checkers).
//!
//! Pure: an [`AlertEvent`] plus the resolved [`SmtpSettings`] give a
//! [`Mail`] (or nothing, under keepalived's gating rules), and a `Mail`
//! gives the exact DATA bytes. Sending lives in [`crate::sys::smtp`], the
//! FIFOs in [`crate::sys::fifo`].
//!
//! Where gating happens, mirroring keepalived:
//! - transport: no mail at all unless `notification_email` is non-empty and
//!   `smtp_server` is set ([`SmtpSettings::from_global`] gives `None`);
//! - per object: the object's `smtp_alert`, defaulted from
//!   `smtp_alert_vrrp`/`smtp_alert_checker`, then `smtp_alert`
//!   ([`gate`]);
//! - VRRP: `no_email_faults` and "not the state last mailed"
//!   ([`gate::MailMemory`]);
//! - checkers: "the RS alive state changed, or `no_checker_emails` is off"
//!   ([`gate::rs_mail_due`]).

pub mod checker;
pub mod event;
pub mod fifo;
pub mod gate;
pub mod message;
pub mod settings;

pub use event::{AlertEvent, CheckReason, GroupState, InstanceState, MiscResult, QuorumNote};
pub use message::{Mail, rfc822_date, utc_offset};
pub use settings::{HostIdentity, SmtpAuth, SmtpSettings};

/// The mail for `event`: subject prefixed with `[router_id]`, keepalived's
/// body, From and To from the settings.
pub fn compose(settings: &SmtpSettings, event: &AlertEvent) -> Mail {
    Mail {
        from: settings.from.clone(),
        to: settings.to.clone(),
        subject: event.subject(&settings.router_id),
        body: event.body(),
    }
}
