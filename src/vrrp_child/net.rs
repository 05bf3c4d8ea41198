//! The socket pool: one receive socket per (interface, family, protocol)
//! shared by every instance on it and demultiplexed by VRID, and one send
//! socket per (interface, family), as keepalived's "sockpool" does.
//!
//! Each receive socket is read by its own task, which hands the packets to
//! the main loop over a channel; sending happens inline from the main loop
//! (raw sends never block for long; a full buffer is reported and counted).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use socket2::Socket;
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc;

use crate::proto::vrrp::validate::RxInfo;
use crate::sys::raw::{self, IPPROTO_AH, IPPROTO_VRRP};

/// Identifies the sockets of one interface and family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PoolKey {
    pub ifindex: u32,
    pub v6: bool,
}

/// A packet read from a receive socket.
#[derive(Debug)]
pub struct RxPacket {
    pub key: PoolKey,
    /// IPv4: the whole IP packet. IPv6: the VRRP message.
    pub bytes: Vec<u8>,
    pub info: RxInfo,
}

/// What the pool must open for one interface and family.
#[derive(Clone, Debug, Default)]
pub struct PoolSpec {
    pub ifname: String,
    /// Multicast groups to join (empty for unicast-only).
    pub groups: Vec<IpAddr>,
    /// An instance on it uses IPsec AH (IPv4 only): open a protocol-51
    /// receive socket too.
    pub ah: bool,
    /// IPv6: the address to bind as source.
    pub src6: Option<Ipv6Addr>,
    pub unicast_hops: u32,
}

/// The open sockets.
#[derive(Default)]
pub struct Pool {
    send: HashMap<PoolKey, Arc<AsyncFd<Socket>>>,
}

impl Pool {
    /// Opens the sockets for `key` and starts their reader tasks.
    pub fn open(
        &mut self,
        key: PoolKey,
        spec: &PoolSpec,
        tx: &mpsc::Sender<RxPacket>,
    ) -> io::Result<()> {
        if key.v6 {
            let group = spec.groups.iter().find_map(|g| match g {
                IpAddr::V6(g) => Some(*g),
                IpAddr::V4(_) => None,
            });
            let s = raw::open_v6(
                &spec.ifname,
                key.ifindex,
                spec.src6,
                group,
                spec.unicast_hops,
            )?;
            for g in spec.groups.iter().skip(1) {
                if let IpAddr::V6(g) = g {
                    s.join_multicast_v6(g, key.ifindex)?;
                }
            }
            let fd = Arc::new(raw::async_fd(s)?);
            self.send.insert(key, fd.clone());
            spawn_reader(key, fd, tx.clone());
        } else {
            let groups: Vec<Ipv4Addr> = spec
                .groups
                .iter()
                .filter_map(|g| match g {
                    IpAddr::V4(g) => Some(*g),
                    IpAddr::V6(_) => None,
                })
                .collect();
            let mut protos = vec![IPPROTO_VRRP];
            if spec.ah {
                protos.push(IPPROTO_AH);
            }
            for proto in protos {
                let s =
                    raw::open_v4_recv(&spec.ifname, key.ifindex, proto, groups.first().copied())?;
                for g in groups.iter().skip(1) {
                    s.join_multicast_v4_n(
                        g,
                        &socket2::InterfaceIndexOrAddress::Index(key.ifindex),
                    )?;
                }
                spawn_reader(key, Arc::new(raw::async_fd(s)?), tx.clone());
            }
            let s = raw::open_v4_send(&spec.ifname)?;
            self.send.insert(key, Arc::new(raw::async_fd(s)?));
        }
        Ok(())
    }

    /// Whether the sockets of `key` are open.
    pub fn has(&self, key: PoolKey) -> bool {
        self.send.contains_key(&key)
    }

    /// Sends an IPv4 packet (header included) or an IPv6 VRRP message.
    pub fn send(&self, key: PoolKey, bytes: &[u8], dst: IpAddr) -> io::Result<()> {
        let s = self
            .send
            .get(&key)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no socket"))?;
        match dst {
            IpAddr::V4(d) => raw::send_v4(s.get_ref(), bytes, d)?,
            IpAddr::V6(d) => raw::send_v6(s.get_ref(), bytes, d, key.ifindex)?,
        };
        Ok(())
    }
}

/// Reads packets until the channel closes.
fn spawn_reader(key: PoolKey, fd: Arc<AsyncFd<Socket>>, tx: mpsc::Sender<RxPacket>) {
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let Ok(mut guard) = fd.readable().await else {
                return;
            };
            let res = guard.try_io(|inner| {
                if key.v6 {
                    raw::recv_v6(inner.get_ref(), &mut buf)
                } else {
                    raw::recv_v4(inner.get_ref(), &mut buf)
                }
            });
            let Ok(res) = res else { continue };
            let Ok((n, meta)) = res else {
                // An error other than "would block" leaves the socket
                // readable; pause so that a persistent one (an interface
                // going away) cannot spin this task.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            };
            let bytes = buf[..n].to_vec();
            let info = if key.v6 {
                let dst = meta.dst.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
                RxInfo {
                    ttl_hop_limit: meta.hop_limit,
                    src: meta.src,
                    dst,
                    multicast: dst.is_multicast(),
                }
            } else if n >= 20 {
                let dst = Ipv4Addr::new(bytes[16], bytes[17], bytes[18], bytes[19]);
                RxInfo {
                    ttl_hop_limit: Some(bytes[8]),
                    src: IpAddr::V4(Ipv4Addr::new(bytes[12], bytes[13], bytes[14], bytes[15])),
                    dst: IpAddr::V4(dst),
                    multicast: dst.is_multicast(),
                }
            } else {
                RxInfo {
                    ttl_hop_limit: None,
                    src: meta.src,
                    dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    multicast: false,
                }
            };
            if tx.send(RxPacket { key, bytes, info }).await.is_err() {
                return;
            }
        }
    });
}

/// The VRID of a received packet, to find its instance: after the IPv4
/// header (and AH header), or the second byte of an IPv6 VRRP message.
pub fn vrid_of(bytes: &[u8], v6: bool) -> Option<u8> {
    if v6 {
        return bytes.get(1).copied();
    }
    let ihl = usize::from(bytes.first()? & 0x0f) * 4;
    let ah = if *bytes.get(9)? == IPPROTO_AH as u8 {
        crate::proto::vrrp::ah::AH_LEN
    } else {
        0
    };
    bytes.get(ihl + ah + 1).copied()
}
