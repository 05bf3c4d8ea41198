//! TCP_CHECK: up when the TCP connection completes (`check_tcp.c`).

use super::connect::{self, ConnectError};
use super::{ProbeOutcome, Target};

/// One TCP_CHECK attempt; `rs` is keepalived's `FMT_CHK()` text. The
/// checker child runs its TCP_CHECKs without a task each (see
/// `crate::sys::connect_set`); this one is for callers with one check.
pub async fn probe(target: &Target, rs: &str) -> ProbeOutcome {
    outcome(connect::tcp(target).await.map(drop), rs)
}

/// A TCP_CHECK attempt's outcome, however it was waited for.
pub fn outcome(r: Result<(), ConnectError>, rs: &str) -> ProbeOutcome {
    match r {
        Ok(()) => ProbeOutcome::Up,
        Err(ConnectError::Timeout) => ProbeOutcome::Down(crate::messages::tcp_timeout(rs)),
        Err(ConnectError::Failed(_)) => ProbeOutcome::Down(crate::messages::tcp_failed(rs)),
        Err(ConnectError::Setup(e)) => ProbeOutcome::Down(crate::messages::tcp_bind_failed(rs, &e)),
    }
}
