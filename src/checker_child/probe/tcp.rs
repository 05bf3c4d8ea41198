//! TCP_CHECK: up when the TCP connection completes (`check_tcp.c`).

use super::connect::{self, ConnectError};
use super::{ProbeOutcome, Target};

/// One TCP_CHECK attempt; `rs` is keepalived's `FMT_CHK()` text.
pub async fn probe(target: &Target, rs: &str) -> ProbeOutcome {
    match connect::tcp(target).await {
        Ok(_) => ProbeOutcome::Up,
        Err(ConnectError::Timeout) => {
            ProbeOutcome::Down(format!("TCP connection to {rs} timeout."))
        }
        Err(ConnectError::Failed(_)) => {
            ProbeOutcome::Down(format!("TCP connection to {rs} failed."))
        }
        Err(ConnectError::Setup(e)) => {
            ProbeOutcome::Down(format!("TCP socket bind failed for {rs}: {e}."))
        }
    }
}
