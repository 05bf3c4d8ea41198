//! The SMTP settings keepalived derives from `global_defs` at config time
//! (`init_global_data()`): which server, HELO name, sender, recipients,
//! router id and timeout — resolved once, so the sender needs no config.

use std::time::Duration;

use crate::config::model::{GlobalDefs, SmtpTls};

/// `smtp_connect_timeout` when not configured (keepalived's
/// `DEFAULT_SMTP_CONNECTION_TIMEOUT`, 30 s). It bounds the connection and
/// every single reply wait, not the whole dialogue.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// keepalived's stand-in when the canonical host name cannot be found.
pub const UNKNOWN_NAME: &str = "[unknown]";

/// What glibc's printf prints for a NULL `%s`: keepalived passes a NULL
/// sender (no `notification_email_from`, unknown host name) or router id
/// (empty canonical name) straight to `snprintf`.
const NULL_STR: &str = "(null)";

/// Facts about the host keepalived uses for its defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostIdentity {
    /// The canonical name of `uname().nodename` (getaddrinfo with
    /// AI_CANONNAME); `None` when that lookup fails.
    pub local_name: Option<String>,
    /// The login name of the daemon's uid (`getpwuid(getuid())`).
    pub user: Option<String>,
}

/// Extension (not in keepalived): SMTP AUTH credentials, sent with AUTH
/// PLAIN or AUTH LOGIN (whichever the server offers, PLAIN preferred) after
/// an EHLO — AUTH is an ESMTP extension, so with credentials the client
/// says EHLO instead of keepalived's HELO. Without `smtp_tls` the password
/// crosses the wire base64-encoded only.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpAuth {
    pub user: String,
    pub pass: String,
}

impl std::fmt::Debug for SmtpAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpAuth")
            .field("user", &self.user)
            .field("pass", &"<hidden>")
            .finish()
    }
}

/// Everything needed to send alerts; exists only when keepalived would send
/// any (`notification_email` non-empty and `smtp_server` set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// `smtp_server` host (an address or a host name) and port (default 25).
    pub host: String,
    pub port: u16,
    /// The HELO argument.
    pub helo: String,
    /// `MAIL FROM:<…>` and the `From:` header.
    pub from: String,
    /// `RCPT TO:<…>` each, in configuration order; the `To:` header.
    pub to: Vec<String>,
    /// The `[…]` subject prefix.
    pub router_id: String,
    pub connect_timeout: Duration,
    /// Extension: see [`SmtpAuth`] (`smtp_auth_user` and `smtp_auth_pass`).
    pub auth: Option<SmtpAuth>,
    /// Extension: `smtp_tls`. With STARTTLS or TLS the client says EHLO
    /// and verifies the server's certificate against [`Self::tls_ca`].
    pub tls: SmtpTls,
    /// Extension: `smtp_tls_ca`, a PEM bundle of trusted roots; `None` is
    /// the system bundle ([`SYSTEM_CA_BUNDLE`]).
    pub tls_ca: Option<String>,
}

/// The system's trusted roots (Debian's ca-certificates bundle): what the
/// server's certificate is verified against unless `smtp_tls_ca` says.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

impl SmtpSettings {
    /// keepalived's defaults: HELO is `smtp_helo_name`, else the canonical
    /// host name, else `localhost`; the sender is `notification_email_from`,
    /// else `user@canonical-name` (nothing when the name is unknown).
    pub fn from_global(g: &GlobalDefs, host: &HostIdentity) -> Option<SmtpSettings> {
        if g.notification_email.is_empty() {
            return None;
        }
        let (server, port) = g.smtp_server.clone()?;
        let known = known_local_name(host);
        let helo = g
            .smtp_helo_name
            .clone()
            .or_else(|| known.map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        let from = g
            .notification_email_from
            .clone()
            .or_else(|| {
                let name = known.filter(|n| !n.is_empty())?;
                Some(format!("{}@{name}", host.user.as_deref()?))
            })
            .unwrap_or_else(|| NULL_STR.to_owned());
        let connect_timeout = g
            .smtp_connect_timeout
            .map(|s| Duration::from_secs(u64::from(s)))
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        Some(SmtpSettings {
            host: server,
            port,
            helo,
            from,
            to: g.notification_email.clone(),
            router_id: router_id(g, host),
            connect_timeout,
            auth: match (&g.smtp_auth_user, &g.smtp_auth_pass) {
                (Some(user), Some(pass)) => Some(SmtpAuth {
                    user: user.clone(),
                    pass: pass.clone(),
                }),
                _ => None,
            },
            tls: g.smtp_tls,
            tls_ca: g.smtp_tls_ca.clone(),
        })
    }
}

/// `router_id`, defaulting to the canonical host name (`[unknown]` when the
/// lookup failed).
pub fn router_id(g: &GlobalDefs, host: &HostIdentity) -> String {
    if let Some(id) = &g.router_id {
        return id.clone();
    }
    match host.local_name.as_deref() {
        None => UNKNOWN_NAME.to_owned(),
        Some("") => NULL_STR.to_owned(),
        Some(name) => name.to_owned(),
    }
}

fn known_local_name(host: &HostIdentity) -> Option<&str> {
    host.local_name.as_deref().filter(|n| *n != UNKNOWN_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global() -> GlobalDefs {
        GlobalDefs {
            notification_email: vec!["a@example.com".into(), "b@example.com".into()],
            smtp_server: Some(("192.0.2.1".into(), 25)),
            ..GlobalDefs::default()
        }
    }

    fn host(name: Option<&str>) -> HostIdentity {
        HostIdentity {
            local_name: name.map(str::to_owned),
            user: Some("root".into()),
        }
    }

    #[test]
    fn no_settings_without_recipients_or_server() {
        let mut g = global();
        g.notification_email.clear();
        assert!(SmtpSettings::from_global(&g, &host(Some("h.example"))).is_none());
        let mut g = global();
        g.smtp_server = None;
        assert!(SmtpSettings::from_global(&g, &host(Some("h.example"))).is_none());
    }

    #[test]
    fn defaults_come_from_the_canonical_host_name() {
        let s = SmtpSettings::from_global(&global(), &host(Some("h.example"))).unwrap();
        assert_eq!(s.helo, "h.example");
        assert_eq!(s.from, "root@h.example");
        assert_eq!(s.router_id, "h.example");
        assert_eq!(s.connect_timeout, Duration::from_secs(30));
        assert_eq!(s.to, ["a@example.com", "b@example.com"]);
        assert_eq!((s.host.as_str(), s.port), ("192.0.2.1", 25));
        assert_eq!(s.auth, None);
        assert_eq!(s.tls, SmtpTls::None);
    }

    #[test]
    fn auth_and_tls_extensions_are_carried() {
        let mut g = global();
        g.smtp_auth_user = Some("u".into());
        g.smtp_auth_pass = Some("p".into());
        g.smtp_tls = SmtpTls::StartTls;
        g.smtp_tls_ca = Some("/ca.pem".into());
        let s = SmtpSettings::from_global(&g, &host(None)).unwrap();
        let auth = s.auth.unwrap();
        assert_eq!((auth.user.as_str(), auth.pass.as_str()), ("u", "p"));
        assert_eq!(s.tls, SmtpTls::StartTls);
        assert_eq!(s.tls_ca.as_deref(), Some("/ca.pem"));
    }

    #[test]
    fn unknown_host_name_gives_localhost_and_null_sender() {
        let s = SmtpSettings::from_global(&global(), &host(None)).unwrap();
        assert_eq!(s.helo, "localhost");
        assert_eq!(s.from, "(null)");
        assert_eq!(s.router_id, "[unknown]");
    }

    #[test]
    fn configured_values_win() {
        let mut g = global();
        g.smtp_helo_name = Some("helo.example".into());
        g.notification_email_from = Some("ka@example.com".into());
        g.router_id = Some("LVS_1".into());
        g.smtp_connect_timeout = Some(5);
        let s = SmtpSettings::from_global(&g, &host(None)).unwrap();
        assert_eq!(s.helo, "helo.example");
        assert_eq!(s.from, "ka@example.com");
        assert_eq!(s.router_id, "LVS_1");
        assert_eq!(s.connect_timeout, Duration::from_secs(5));
    }

    #[test]
    fn auth_password_is_not_debug_printed() {
        let a = SmtpAuth {
            user: "u".into(),
            pass: "secret".into(),
        };
        assert!(!format!("{a:?}").contains("secret"));
    }
}
