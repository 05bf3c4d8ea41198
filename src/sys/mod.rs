//! Every OS edge lives here, behind small traits defined by the pure modules.

pub mod clock;
pub mod host;
pub mod sd_notify;
pub mod syslog_socket;
