//! SMTP_CHECK (`check_smtp.c`): a 220 banner, `HELO name` answered by 250,
//! then `QUIT` and any reply line. Failure texts name the connect address as
//! `[ip]:port` (keepalived's `FMT_SMTP_RS`).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::connect::{self, ConnectError};
use super::{ProbeOutcome, Target};

/// keepalived's SMTP line buffer size.
const SMTP_BUFF_MAX: usize = 512;

/// `smtp_get_status()`: exactly three leading digits followed by a space or
/// the end of the line; `None` otherwise (so "220-" multi-line banners fail,
/// as in keepalived).
pub fn status(line: &[u8]) -> Option<u32> {
    let digits = line.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits != 3 {
        return None;
    }
    match line.get(3) {
        None | Some(b' ') => {}
        Some(_) => return None,
    }
    Some(
        line[..3]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0')),
    )
}

fn pair(dst: SocketAddr) -> String {
    format!("[{}]:{}", dst.ip(), dst.port())
}

/// One line (up to `\n`, which is not included) or keepalived's failure.
async fn get_line<S: AsyncRead + Unpin>(
    s: &mut S,
    timeout: Duration,
    who: &str,
) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; SMTP_BUFF_MAX];
    loop {
        let room = SMTP_BUFF_MAX - 1 - buf.len();
        if room == 0 {
            return Err(crate::messages::smtp_check_buffer_overflow(who));
        }
        match tokio::time::timeout(timeout, s.read(&mut chunk[..room])).await {
            Err(_) => return Err(crate::messages::smtp_check_read_timeout(who)),
            Ok(Err(_)) | Ok(Ok(0)) => return Err(crate::messages::smtp_check_read_failure(who)),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(nl) = memchr::memchr(b'\n', &buf) {
            buf.truncate(nl);
            return Ok(buf);
        }
    }
}

async fn put_line<S: AsyncWrite + Unpin>(
    s: &mut S,
    line: &str,
    timeout: Duration,
    who: &str,
) -> Result<(), String> {
    match tokio::time::timeout(timeout, s.write_all(line.as_bytes())).await {
        Err(_) => Err(crate::messages::smtp_check_write_timeout(who)),
        Ok(Err(_)) => Err(crate::messages::smtp_check_write_failure(who)),
        Ok(Ok(())) => Ok(()),
    }
}

/// The SMTP dialogue over an established stream.
pub async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    helo: &str,
    timeout: Duration,
    who: &str,
) -> Result<(), String> {
    let banner = get_line(s, timeout, who).await?;
    if status(&banner) != Some(220) {
        return Err(crate::messages::smtp_check_bad_greeting(who));
    }
    put_line(s, &format!("HELO {helo}\r\n"), timeout, who).await?;
    let reply = get_line(s, timeout, who).await?;
    if status(&reply) != Some(250) {
        return Err(crate::messages::smtp_check_bad_helo(who));
    }
    put_line(s, "QUIT\r\n", timeout, who).await?;
    get_line(s, timeout, who).await?;
    Ok(())
}

/// One SMTP_CHECK attempt against the checker's address. (The deprecated
/// `host` sub-blocks are further targets; the caller probes each.)
pub async fn probe(target: &Target, helo: &str) -> ProbeOutcome {
    let who = pair(target.dst);
    let result = match connect::tcp(target).await {
        Err(ConnectError::Timeout) => Err(crate::messages::smtp_check_connect_timeout(&who)),
        Err(ConnectError::Failed(_)) => Err(crate::messages::smtp_check_connect_error(&who)),
        Err(ConnectError::Setup(_)) => Err(crate::messages::smtp_check_connect_failed(&who)),
        Ok(mut s) => dialogue(&mut s, helo, target.timeout, &who).await,
    };
    match result {
        Ok(()) => ProbeOutcome::Up,
        Err(e) => ProbeOutcome::Down(crate::messages::smtp_check_failed(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::status;

    #[test]
    fn status_lines() {
        assert_eq!(status(b"220 mail ESMTP\r"), Some(220));
        // keepalived's strtoul end check rejects a bare code before "\r".
        assert_eq!(status(b"250\r"), None);
        assert_eq!(status(b"220 mail"), Some(220));
        assert_eq!(status(b"250"), Some(250));
        assert_eq!(status(b"220-mail"), None);
        assert_eq!(status(b"2200 x"), None);
    }
}
