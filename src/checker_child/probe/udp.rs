//! UDP_CHECK (`check_udp.c`, `layer4.c`): send the payload on a connected
//! socket; without `require_reply`, silence until the timeout is success and
//! only an ICMP error (a receive error) fails. With `require_reply`, a reply
//! within the length bounds whose first bytes match (X nibbles are
//! wildcards) is needed.

use super::connect;
use super::{ProbeOutcome, Target};
use crate::config::model::CheckerExt;

/// keepalived's default payload: 32 bytes of "keepalived check - " repeated.
fn default_payload() -> Vec<u8> {
    b"keepalived check - "
        .iter()
        .copied()
        .cycle()
        .take(32)
        .collect()
}

/// A resolved UDP_CHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpSpec {
    pub payload: Vec<u8>,
    /// Expected reply prefix and its mask (set bits are "don't care").
    pub reply: Option<(Vec<u8>, Vec<u8>)>,
    pub min_len: usize,
    pub max_len: usize,
}

impl UdpSpec {
    pub fn resolve(ext: &CheckerExt) -> UdpSpec {
        let payload = ext
            .udp_payload
            .as_deref()
            .and_then(|h| parse_hex(h, false))
            .map(|(d, _)| d)
            .filter(|d| !d.is_empty())
            .unwrap_or_else(default_payload);
        UdpSpec {
            payload,
            reply: ext
                .udp_require_reply
                .as_deref()
                .map(|h| parse_hex(h, true).unwrap_or_default()),
            min_len: ext.udp_min_reply_length.unwrap_or(0) as usize,
            max_len: ext.udp_max_reply_length.unwrap_or(255) as usize,
        }
    }
}

/// Free-form hex nibbles (white space ignored, an odd count is padded with a
/// low zero nibble); with `wild`, `X`/`x` nibbles are wildcards, returned in
/// the mask.
pub fn parse_hex(s: &str, wild: bool) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut data = Vec::new();
    let mut mask = Vec::new();
    let mut high = true;
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        let (v, m) = match c {
            'x' | 'X' if wild => (0, 0xf),
            _ => (c.to_digit(16)? as u8, 0),
        };
        if high {
            data.push(v << 4);
            mask.push(m << 4);
        } else {
            *data.last_mut()? |= v;
            *mask.last_mut()? |= m;
        }
        high = !high;
    }
    Some((data, mask))
}

/// `check_udp_reply()`: true when the reply is acceptable.
pub fn reply_ok(spec: &UdpSpec, reply: &[u8]) -> bool {
    if reply.len() < spec.min_len || reply.len() > spec.max_len {
        return false;
    }
    let Some((want, mask)) = &spec.reply else {
        return true;
    };
    reply
        .iter()
        .zip(want.iter().zip(mask))
        .all(|(got, (w, m))| (got ^ w) & !m == 0)
}

/// One UDP_CHECK attempt.
pub async fn probe(target: &Target, rs: &str, spec: &UdpSpec) -> ProbeOutcome {
    let failed = || ProbeOutcome::Down(crate::messages::udp_failed(rs));
    let Ok(sock) = connect::udp(target).await else {
        return failed();
    };
    if sock.send(&spec.payload).await.is_err() {
        return failed();
    }
    let mut buf = vec![0u8; spec.max_len + 1];
    match tokio::time::timeout(target.timeout, sock.recv(&mut buf)).await {
        Err(_) if spec.reply.is_some() => failed(),
        Err(_) => ProbeOutcome::Up,
        Ok(Err(_)) => failed(),
        Ok(Ok(_)) if spec.reply.is_none() => ProbeOutcome::Up,
        Ok(Ok(n)) if reply_ok(spec, &buf[..n]) => ProbeOutcome::Up,
        Ok(Ok(_)) => ProbeOutcome::Down(crate::messages::udp_reply_mismatch(rs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_with_wildcards() {
        assert_eq!(
            parse_hex("01 aX", true),
            Some((vec![0x01, 0xa0], vec![0x00, 0x0f]))
        );
        assert_eq!(parse_hex("zz", false), None);
        let spec = UdpSpec {
            payload: vec![],
            reply: parse_hex("01aX", true),
            min_len: 0,
            max_len: 255,
        };
        assert!(reply_ok(&spec, &[0x01, 0xa7, 0x55]));
        assert!(!reply_ok(&spec, &[0x02, 0xa7]));
        assert_eq!(default_payload().len(), 32);
    }
}
