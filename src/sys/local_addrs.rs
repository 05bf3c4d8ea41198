//! The host's (current network namespace's) IP addresses, for `ha_suspend`.
//!
//! keepalived follows address changes through netlink events; the checker
//! child instead re-reads the list every second (`getifaddrs`), which is
//! enough to suspend or resume checkers within a second of a VIP moving.

use std::net::IpAddr;

/// Every address configured on any interface.
pub fn local_addresses() -> nix::Result<Vec<IpAddr>> {
    Ok(nix::ifaddrs::getifaddrs()?
        .filter_map(|ifa| {
            let a = ifa.address?;
            if let Some(v4) = a.as_sockaddr_in() {
                Some(IpAddr::V4(v4.ip()))
            } else {
                a.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_is_listed_when_up() {
        // lo is up in the host namespace and in every test namespace we use.
        let a = super::local_addresses().unwrap();
        assert!(a.contains(&"127.0.0.1".parse().unwrap()), "{a:?}");
    }
}
