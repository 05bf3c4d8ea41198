//! Configuration-model builders shared by the checker and alert tests
//! (included with `#[path]` by the test files that build models by hand).

use keepalived::config::model::{Protocol, VirtualServer, VsAddr};

/// A TCP virtual server `addr:port` with nothing else set.
pub fn tcp_vs(addr: &str, port: u16) -> VirtualServer {
    let mut v = VirtualServer::new(
        VsAddr::Ip {
            addr: addr.parse().expect("virtual server address"),
            port,
        },
        None,
    );
    v.protocol = Some(Protocol::Tcp);
    v
}
