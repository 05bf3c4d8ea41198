//! DNS_CHECK (`check_dns.c`): one UDP query (RD set) for `name`/`type`; up
//! when a reply with the same id, QR set and RCODE 0 arrives within the
//! connect timeout. Replies with another id, or queries, are ignored.

use std::hash::{BuildHasher, Hasher};

use tokio::time::Instant;

use super::connect::{self, ConnectError};
use super::{ProbeOutcome, Target};

/// keepalived's `DNS_BUFFER_SIZE`.
const DNS_BUFFER_SIZE: usize = 768;
/// keepalived checks the reply length against `sizeof(r_header)` — a
/// pointer — so it needs 8 bytes, not the 12 of a header.
const MIN_REPLY: usize = 8;

/// The types keepalived knows (case-insensitive names).
const TYPES: [(&str, u16); 9] = [
    ("A", 1),
    ("NS", 2),
    ("CNAME", 5),
    ("SOA", 6),
    ("MX", 15),
    ("TXT", 16),
    ("AAAA", 28),
    ("RRSIG", 46),
    ("DNSKEY", 48),
];

/// A resolved query: the record type and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuery {
    pub qtype: u16,
    pub name: String,
}

impl DnsQuery {
    /// Defaults: type SOA, name "." (the root).
    pub fn resolve(qtype: Option<&str>, name: Option<&str>) -> DnsQuery {
        let qtype = qtype
            .and_then(|t| {
                TYPES
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(t))
                    .map(|(_, v)| *v)
            })
            .unwrap_or(6);
        DnsQuery {
            qtype,
            name: name.unwrap_or(".").to_string(),
        }
    }

    /// The datagram with `id`, encoded as `dns_make_query()` does (labels
    /// split on dots, a final root label unless the name is just ".").
    pub fn encode(&self, id: u16) -> Vec<u8> {
        let mut p = Vec::with_capacity(12 + self.name.len() + 6);
        p.extend_from_slice(&id.to_be_bytes());
        p.extend_from_slice(&0x0100u16.to_be_bytes()); // RD
        p.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
        let name = self.name.as_bytes();
        let mut s = 0;
        while s < name.len() {
            let e = memchr::memchr(b'.', &name[s..]).map_or(name.len(), |i| s + i);
            // keepalived writes the length as one byte (truncating).
            p.push((e - s) as u8);
            p.extend_from_slice(&name[s..e]);
            s = if e < name.len() { e + 1 } else { e };
        }
        if self.name != "." {
            p.push(0);
        }
        p.extend_from_slice(&self.qtype.to_be_bytes());
        p.extend_from_slice(&1u16.to_be_bytes());
        p
    }
}

/// What a received datagram means for query `id`.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// Not ours (short, other id, not a response): keep waiting.
    Ignore,
    Ok,
    Rcode(u8),
}

pub fn classify(id: u16, reply: &[u8]) -> Reply {
    if reply.len() < MIN_REPLY || reply[..2] != id.to_be_bytes() {
        return Reply::Ignore;
    }
    let flags = u16::from_be_bytes([reply[2], reply[3]]);
    if flags & 0x8000 == 0 {
        return Reply::Ignore;
    }
    match (flags & 0x000f) as u8 {
        0 => Reply::Ok,
        rc => Reply::Rcode(rc),
    }
}

fn random_id() -> u16 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() as u16
}

/// One DNS_CHECK attempt. Down texts are keepalived's "DNS_CHECK (rs) …"
/// lines without the " after N retries" suffix.
pub async fn probe(target: &Target, rs: &str, q: &DnsQuery) -> ProbeOutcome {
    let down = |m: String| ProbeOutcome::Down(crate::messages::dns_failed(rs, &m));
    let sock = match connect::udp(target).await {
        Ok(s) => s,
        Err(ConnectError::Timeout) => return down(crate::messages::dns_connect_timeout().into()),
        Err(ConnectError::Failed(_)) => return down(crate::messages::dns_connect_failure().into()),
        Err(ConnectError::Setup(_)) => return down(crate::messages::dns_connect_error().into()),
    };
    let id = random_id();
    let query = q.encode(id);
    let deadline = Instant::now() + target.timeout;
    match tokio::time::timeout_at(deadline, sock.send(&query)).await {
        Err(_) => return down(crate::messages::dns_write_timeout().into()),
        Ok(Err(_)) => return down(crate::messages::dns_write_failed().into()),
        Ok(Ok(n)) if n != query.len() => {
            return down(crate::messages::dns_short_write().into());
        }
        Ok(Ok(_)) => {}
    }
    let mut buf = [0u8; DNS_BUFFER_SIZE];
    loop {
        match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
            Err(_) => return down(crate::messages::dns_read_timeout().into()),
            Ok(Err(e)) => {
                let errno = e.raw_os_error().unwrap_or(0);
                let text = nix::errno::Errno::from_raw(errno).desc();
                return down(crate::messages::dns_read_failed(errno, text));
            }
            Ok(Ok(n)) => match classify(id, &buf[..n]) {
                Reply::Ignore => continue,
                Reply::Ok => return ProbeOutcome::Up,
                Reply::Rcode(rc) => return down(crate::messages::dns_rcode(rc)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_keepalived() {
        let root = DnsQuery::resolve(None, None);
        assert_eq!(
            root.encode(0x1234),
            [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1]
        );
        let q = DnsQuery::resolve(Some("aaaa"), Some("ex.org."));
        assert_eq!(
            q.encode(1)[12..],
            [2, b'e', b'x', 3, b'o', b'r', b'g', 0, 0, 28, 0, 1]
        );
    }

    #[test]
    fn classifies_replies() {
        assert_eq!(classify(7, &[0, 7, 0x81, 0x80, 0, 0, 0, 0]), Reply::Ok);
        assert_eq!(
            classify(7, &[0, 7, 0x81, 0x83, 0, 0, 0, 0]),
            Reply::Rcode(3)
        );
        assert_eq!(classify(7, &[0, 8, 0x81, 0x80, 0, 0, 0, 0]), Reply::Ignore);
        assert_eq!(classify(7, &[0, 7, 0x01, 0x00, 0, 0, 0, 0]), Reply::Ignore);
        assert_eq!(classify(7, &[0, 7, 0x81]), Reply::Ignore);
    }
}
