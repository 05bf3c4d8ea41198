//! TCP_CHECK: up when the TCP connection completes (`check_tcp.c`).

use super::connect::{self, ConnectError};
use super::{ProbeOutcome, Target};

/// One TCP_CHECK attempt; `rs` is keepalived's `FMT_CHK()` text.
pub async fn probe(target: &Target, rs: &str) -> ProbeOutcome {
    match connect::tcp(target).await {
        Ok(_) => ProbeOutcome::Up,
        Err(ConnectError::Timeout) => ProbeOutcome::Down(crate::messages::tcp_timeout(rs)),
        Err(ConnectError::Failed(_)) => ProbeOutcome::Down(crate::messages::tcp_failed(rs)),
        Err(ConnectError::Setup(e)) => ProbeOutcome::Down(crate::messages::tcp_bind_failed(rs, &e)),
    }
}
