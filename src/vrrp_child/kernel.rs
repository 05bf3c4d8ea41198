//! The VRRP child's kernel edge: installing and removing VIPs, and the
//! gratuitous ARPs / unsolicited NAs that announce them.
//!
//! Addresses are a desired set: `add` skips an address that is already
//! there (and does not claim it), `remove` deletes only what we added, so a
//! VIP an operator configured by hand is never taken away.

use std::collections::HashSet;
use std::net::IpAddr;

use futures::TryStreamExt;
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use rtnetlink::Handle;

use crate::config::model::IpAddressLine;

/// An address we installed: (ifindex, address, prefix).
type Owned = (u32, IpAddr, u8);

pub struct Kernel {
    handle: Handle,
    owned: HashSet<Owned>,
}

/// The result of one address operation, for the log.
pub enum AddrOutcome {
    Done,
    AlreadyThere,
    Failed(String),
}

impl Kernel {
    /// Opens the rtnetlink connection on the current runtime.
    pub fn new() -> std::io::Result<Kernel> {
        let (conn, handle, _) = rtnetlink::new_connection()?;
        tokio::spawn(conn);
        Ok(Kernel {
            handle,
            owned: HashSet::new(),
        })
    }

    /// Adds one VIP on `ifindex`.
    pub async fn add(&mut self, ifindex: u32, vip: &IpAddressLine) -> AddrOutcome {
        let mut req = self.handle.address().add(ifindex, vip.addr, vip.prefix);
        if let Some(label) = &vip.label {
            req.message_mut()
                .attributes
                .push(AddressAttribute::Label(label.clone()));
        }
        match req.execute().await {
            Ok(()) => {
                self.owned.insert((ifindex, vip.addr, vip.prefix));
                AddrOutcome::Done
            }
            Err(rtnetlink::Error::NetlinkError(e))
                if e.raw_code() == -libc::EEXIST || e.raw_code() == libc::EEXIST =>
            {
                AddrOutcome::AlreadyThere
            }
            Err(e) => AddrOutcome::Failed(e.to_string()),
        }
    }

    /// Removes one VIP if we added it.
    pub async fn remove(&mut self, ifindex: u32, vip: &IpAddressLine) -> AddrOutcome {
        if !self.owned.remove(&(ifindex, vip.addr, vip.prefix)) {
            return AddrOutcome::AlreadyThere;
        }
        match self.find(ifindex, vip.addr).await {
            Some(msg) => match self.handle.address().del(msg).execute().await {
                Ok(()) => AddrOutcome::Done,
                Err(e) => AddrOutcome::Failed(e.to_string()),
            },
            None => AddrOutcome::AlreadyThere,
        }
    }

    async fn find(&self, ifindex: u32, addr: IpAddr) -> Option<AddressMessage> {
        let mut s = self
            .handle
            .address()
            .get()
            .set_link_index_filter(ifindex)
            .set_address_filter(addr)
            .execute();
        s.try_next().await.ok().flatten()
    }
}
