//! Netlink and generic-netlink framing: `nlmsghdr`, `genlmsghdr`, attributes,
//! and the nlctrl family lookup.
//!
//! Kept self-contained (rather than built on netlink-packet-generic) because
//! IPVS needs only a few hundred bytes of framing and the byte layout is then
//! visible in one place, which makes the captured `ipvsadm` fixtures in
//! `testdata/ipvs/` easy to check line by line.

use thiserror::Error;

/// `NLMSG_ERROR`: an error report, or an ACK when the errno is 0.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a multi-part dump.
pub const NLMSG_DONE: u16 = 3;
/// The nlctrl family has a fixed id; every other family is resolved through it.
pub const GENL_ID_CTRL: u16 = 0x10;

pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
/// `NLM_F_ROOT | NLM_F_MATCH`: ask for every object, as `ipvsadm -L` does.
pub const NLM_F_DUMP: u16 = 0x300;

/// Set on nested attributes by libnl; the kernel ignores it when parsing IPVS
/// requests, but we set it as `ipvsadm` does so fixtures match byte for byte.
pub const NLA_F_NESTED: u16 = 0x8000;
const NLA_F_NET_BYTEORDER: u16 = 0x4000;
const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

pub const NLMSG_HDRLEN: usize = 16;
pub const GENL_HDRLEN: usize = 4;

const CTRL_CMD_NEWFAMILY: u8 = 1;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;

/// Why bytes from the kernel could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("truncated {what}: need {need} bytes, have {have}")]
    Truncated {
        what: &'static str,
        need: usize,
        have: usize,
    },
    #[error("attribute {kind} has {len} bytes, expected {expected}")]
    BadLength {
        kind: u16,
        len: usize,
        expected: &'static str,
    },
    #[error("attribute {0} is not a NUL-terminated UTF-8 string")]
    BadString(u16),
    #[error("unexpected generic-netlink command {0}")]
    UnexpectedCommand(u8),
    #[error("reply lacks attribute {0}")]
    Missing(&'static str),
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// One netlink attribute, borrowed from a received buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawAttr<'a> {
    /// The type with the NESTED / NET_BYTEORDER flag bits cleared.
    pub kind: u16,
    pub value: &'a [u8],
}

impl<'a> RawAttr<'a> {
    pub fn u8(&self) -> Result<u8, DecodeError> {
        self.fixed::<1>("1").map(|b| b[0])
    }
    pub fn u16(&self) -> Result<u16, DecodeError> {
        self.fixed::<2>("2").map(u16::from_ne_bytes)
    }
    /// Ports travel in network byte order.
    pub fn u16_be(&self) -> Result<u16, DecodeError> {
        self.fixed::<2>("2").map(u16::from_be_bytes)
    }
    pub fn u32(&self) -> Result<u32, DecodeError> {
        self.fixed::<4>("4").map(u32::from_ne_bytes)
    }
    pub fn u64(&self) -> Result<u64, DecodeError> {
        self.fixed::<8>("8").map(u64::from_ne_bytes)
    }
    /// IPVS stats mix u32 and u64 counters depending on the nest; accept both.
    pub fn uint(&self) -> Result<u64, DecodeError> {
        match self.value.len() {
            4 => self.u32().map(u64::from),
            8 => self.u64(),
            len => Err(DecodeError::BadLength {
                kind: self.kind,
                len,
                expected: "4 or 8",
            }),
        }
    }
    /// A NUL-terminated string (bytes after the first NUL are padding).
    pub fn string(&self) -> Result<String, DecodeError> {
        let end = self
            .value
            .iter()
            .position(|&b| b == 0)
            .ok_or(DecodeError::BadString(self.kind))?;
        String::from_utf8(self.value[..end].to_vec()).map_err(|_| DecodeError::BadString(self.kind))
    }
    pub fn nested(&self) -> AttrIter<'a> {
        AttrIter { buf: self.value }
    }
    fn fixed<const N: usize>(&self, expected: &'static str) -> Result<[u8; N], DecodeError> {
        self.value.try_into().map_err(|_| DecodeError::BadLength {
            kind: self.kind,
            len: self.value.len(),
            expected,
        })
    }
}

/// Walks a run of attributes; yields an error once and then stops on a
/// malformed length.
#[derive(Debug, Clone)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
}

impl<'a> AttrIter<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        AttrIter { buf }
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<RawAttr<'a>, DecodeError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.len() < 4 {
            return None;
        }
        let len = usize::from(u16::from_ne_bytes([self.buf[0], self.buf[1]]));
        let kind = u16::from_ne_bytes([self.buf[2], self.buf[3]]) & NLA_TYPE_MASK;
        if len < 4 || len > self.buf.len() {
            let have = self.buf.len();
            self.buf = &[];
            return Some(Err(DecodeError::Truncated {
                what: "attribute",
                need: len.max(4),
                have,
            }));
        }
        let value = &self.buf[4..len];
        self.buf = &self.buf[align4(len).min(self.buf.len())..];
        Some(Ok(RawAttr { kind, value }))
    }
}

/// Appends attributes to a message under construction.
#[derive(Debug, Default, Clone)]
pub struct AttrWriter {
    pub buf: Vec<u8>,
}

impl AttrWriter {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn bytes(&mut self, kind: u16, value: &[u8]) {
        let len = 4 + value.len();
        self.buf.extend_from_slice(&(len as u16).to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.buf.resize(align4(self.buf.len()), 0);
    }
    pub fn u8(&mut self, kind: u16, v: u8) {
        self.bytes(kind, &[v]);
    }
    pub fn u16(&mut self, kind: u16, v: u16) {
        self.bytes(kind, &v.to_ne_bytes());
    }
    pub fn u16_be(&mut self, kind: u16, v: u16) {
        self.bytes(kind, &v.to_be_bytes());
    }
    pub fn u32(&mut self, kind: u16, v: u32) {
        self.bytes(kind, &v.to_ne_bytes());
    }
    pub fn u64(&mut self, kind: u16, v: u64) {
        self.bytes(kind, &v.to_ne_bytes());
    }
    pub fn string(&mut self, kind: u16, s: &str) {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.bytes(kind, &v);
    }
    /// Writes a nest whose content `f` appends; the length is patched after.
    pub fn nest(&mut self, kind: u16, f: impl FnOnce(&mut AttrWriter)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
        self.buf
            .extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        f(self);
        let len = (self.buf.len() - start) as u16;
        self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    }
}

/// A generic-netlink message body: command, version, attribute bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenlPayload<'a> {
    pub cmd: u8,
    pub version: u8,
    pub attrs: &'a [u8],
}

impl<'a> GenlPayload<'a> {
    /// Splits the bytes that follow an `nlmsghdr`.
    pub fn parse(buf: &'a [u8]) -> Result<Self, DecodeError> {
        if buf.len() < GENL_HDRLEN {
            return Err(DecodeError::Truncated {
                what: "genlmsghdr",
                need: GENL_HDRLEN,
                have: buf.len(),
            });
        }
        Ok(GenlPayload {
            cmd: buf[0],
            version: buf[1],
            attrs: &buf[GENL_HDRLEN..],
        })
    }
    pub fn attrs(&self) -> AttrIter<'a> {
        AttrIter::new(self.attrs)
    }
}

/// Builds a full request: `nlmsghdr` + `genlmsghdr` + attributes.
pub fn genl_request(
    family: u16,
    flags: u16,
    seq: u32,
    cmd: u8,
    version: u8,
    attrs: &[u8],
) -> Vec<u8> {
    let len = NLMSG_HDRLEN + GENL_HDRLEN + attrs.len();
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&(len as u32).to_ne_bytes());
    v.extend_from_slice(&family.to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&seq.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills ours in
    v.extend_from_slice(&[cmd, version, 0, 0]);
    v.extend_from_slice(attrs);
    v
}

/// One message out of a received datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<'a> {
    /// `NLMSG_ERROR` with errno 0.
    Ack {
        seq: u32,
    },
    /// `NLMSG_ERROR` with a positive errno (the kernel sends it negated).
    Error {
        seq: u32,
        errno: i32,
    },
    Done {
        seq: u32,
    },
    /// Anything else; for a generic family this is a `GenlPayload`.
    Data {
        seq: u32,
        kind: u16,
        flags: u16,
        payload: &'a [u8],
    },
}

/// Splits a datagram into its netlink messages.
pub fn parse_datagram(mut buf: &[u8]) -> Result<Vec<Received<'_>>, DecodeError> {
    let mut out = Vec::new();
    while buf.len() >= NLMSG_HDRLEN {
        let len = u32::from_ne_bytes(buf[0..4].try_into().expect("4 bytes")) as usize;
        if len < NLMSG_HDRLEN || len > buf.len() {
            return Err(DecodeError::Truncated {
                what: "nlmsghdr",
                need: len.max(NLMSG_HDRLEN),
                have: buf.len(),
            });
        }
        let kind = u16::from_ne_bytes([buf[4], buf[5]]);
        let flags = u16::from_ne_bytes([buf[6], buf[7]]);
        let seq = u32::from_ne_bytes(buf[8..12].try_into().expect("4 bytes"));
        let payload = &buf[NLMSG_HDRLEN..len];
        out.push(match kind {
            NLMSG_ERROR => {
                if payload.len() < 4 {
                    return Err(DecodeError::Truncated {
                        what: "nlmsgerr",
                        need: 4,
                        have: payload.len(),
                    });
                }
                let err = i32::from_ne_bytes(payload[0..4].try_into().expect("4 bytes"));
                if err == 0 {
                    Received::Ack { seq }
                } else {
                    Received::Error {
                        seq,
                        errno: err.saturating_neg(),
                    }
                }
            }
            NLMSG_DONE => Received::Done { seq },
            _ => Received::Data {
                seq,
                kind,
                flags,
                payload,
            },
        });
        buf = &buf[align4(len).min(buf.len())..];
    }
    Ok(out)
}

/// The CTRL_CMD_GETFAMILY request payload (after `nlmsghdr`) for `name`.
pub fn getfamily_payload(name: &str) -> (u8, u8, Vec<u8>) {
    let mut w = AttrWriter::new();
    w.string(CTRL_ATTR_FAMILY_NAME, name);
    (CTRL_CMD_GETFAMILY, 1, w.buf)
}

/// The family id out of a CTRL_CMD_NEWFAMILY reply payload.
pub fn parse_family_id(payload: &[u8]) -> Result<u16, DecodeError> {
    let genl = GenlPayload::parse(payload)?;
    if genl.cmd != CTRL_CMD_NEWFAMILY {
        return Err(DecodeError::UnexpectedCommand(genl.cmd));
    }
    for a in genl.attrs() {
        let a = a?;
        if a.kind == CTRL_ATTR_FAMILY_ID {
            return a.u16();
        }
    }
    Err(DecodeError::Missing("CTRL_ATTR_FAMILY_ID"))
}

/// Parses the hex fixture format of `testdata/ipvs/*.hex`: `#` comments, one
/// message per line. Shared by unit and integration tests.
pub fn fixture_messages(text: &str) -> Vec<Vec<u8>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            (0..l.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&l[i..i + 2], 16).expect("fixture is hex"))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQ: &str = include_str!("../../testdata/ipvs/ctrl_getfamily_request.hex");
    const REPLY: &str = include_str!("../../testdata/ipvs/ctrl_getfamily_reply.hex");

    #[test]
    fn getfamily_request_matches_libnl() {
        let (cmd, ver, attrs) = getfamily_payload("IPVS");
        let mut got = vec![cmd, ver, 0, 0];
        got.extend(attrs);
        assert_eq!(got, fixture_messages(REQ)[0]);
    }

    #[test]
    fn family_id_from_captured_reply() {
        assert_eq!(parse_family_id(&fixture_messages(REPLY)[0]), Ok(0x20));
    }

    #[test]
    fn datagram_with_ack_error_done() {
        let mut d = Vec::new();
        for (kind, body) in [
            (NLMSG_ERROR, 0i32.to_ne_bytes().to_vec()),
            (NLMSG_ERROR, (-17i32).to_ne_bytes().to_vec()),
            (NLMSG_DONE, 0i32.to_ne_bytes().to_vec()),
        ] {
            d.extend(((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
            d.extend(kind.to_ne_bytes());
            d.extend(0u16.to_ne_bytes());
            d.extend(7u32.to_ne_bytes());
            d.extend(0u32.to_ne_bytes());
            d.extend(body);
        }
        assert_eq!(
            parse_datagram(&d).unwrap(),
            vec![
                Received::Ack { seq: 7 },
                Received::Error { seq: 7, errno: 17 },
                Received::Done { seq: 7 }
            ]
        );
    }

    #[test]
    fn truncated_attribute_is_an_error_not_a_panic() {
        let bad = [8u8, 0, 1, 0, 1];
        let items: Vec<_> = AttrIter::new(&bad).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
        assert!(parse_datagram(&[200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn nest_length_is_patched() {
        let mut w = AttrWriter::new();
        w.nest(1, |w| w.u32(5, 7));
        assert_eq!(w.buf, [12, 0, 1, 0x80, 8, 0, 5, 0, 7, 0, 0, 0]);
    }
}
