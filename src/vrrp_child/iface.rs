//! What the VRRP child needs to know about an interface at startup: its
//! index, MAC address, primary IPv4 address and IPv6 link-local address,
//! and whether it is up. Read with `getifaddrs(3)`, which asks the kernel
//! over netlink and lists addresses in the kernel's order (the primary
//! IPv4 address first, as keepalived takes it).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nix::ifaddrs::getifaddrs;
use nix::net::if_::InterfaceFlags;

/// One interface as seen at a point in time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IfaceInfo {
    pub name: String,
    pub index: u32,
    pub mac: [u8; 6],
    pub up: bool,
    /// IPv4 addresses in kernel order (primary first).
    pub v4: Vec<Ipv4Addr>,
    /// IPv6 addresses in kernel order.
    pub v6: Vec<Ipv6Addr>,
}

impl IfaceInfo {
    /// The source address keepalived uses for an interface: the first IPv4
    /// address that is not one of `exclude` (our own VIPs), or the first
    /// IPv6 link-local address.
    pub fn source(&self, v6: bool, exclude: &[IpAddr]) -> Option<IpAddr> {
        if v6 {
            self.v6
                .iter()
                .find(|a| (a.segments()[0] & 0xffc0) == 0xfe80)
                .map(|a| IpAddr::V6(*a))
        } else {
            self.v4
                .iter()
                .map(|a| IpAddr::V4(*a))
                .find(|a| !exclude.contains(a))
        }
    }
}

/// Reads `name`; `None` when it does not exist.
pub fn read(name: &str) -> Option<IfaceInfo> {
    let index = nix::net::if_::if_nametoindex(name).ok()?;
    let mut info = IfaceInfo {
        name: name.to_string(),
        index,
        ..IfaceInfo::default()
    };
    for ifa in getifaddrs().ok()? {
        if ifa.interface_name != name {
            continue;
        }
        // keepalived treats an interface as up when it is administratively
        // up and running (IFF_UP and IFF_RUNNING).
        info.up = ifa.flags.contains(InterfaceFlags::IFF_UP)
            && ifa.flags.contains(InterfaceFlags::IFF_RUNNING);
        let Some(addr) = ifa.address else { continue };
        if let Some(ll) = addr.as_link_addr() {
            if let Some(mac) = ll.addr() {
                info.mac = mac;
            }
        } else if let Some(sin) = addr.as_sockaddr_in() {
            info.v4.push(sin.ip());
        } else if let Some(sin6) = addr.as_sockaddr_in6() {
            info.v6.push(sin6.ip());
        }
    }
    Some(info)
}
