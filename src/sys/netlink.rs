//! The VRRP child's rtnetlink edge: links, addresses, VMAC macvlans and
//! link/address monitoring (crates.md section 2), over rtnetlink 0.24.
//!
//! rtnetlink's request builders hide the kernel errno behind a generic error
//! and have no builders for labels, flags, cache info or ADDR_GEN_MODE, so
//! every request here is a hand-filled `netlink-packet-route` message sent
//! through [`rtnetlink::Handle::request`]; the only thing we take from
//! rtnetlink is the connection. Callers see [`NetlinkError`] with the
//! operation and the errno, and the few errnos keepalived treats as success
//! (EEXIST on add, EADDRNOTAVAIL on delete) are folded into return values.
//!
//! Must be used from inside a tokio runtime (a current_thread one is fine):
//! [`Netlink::new`] and [`Netlink::events`] spawn their connection tasks.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::mpsc::UnboundedReceiver;
use futures::{Stream, StreamExt};
use netlink_packet_core::{
    NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressMessage, AddressScope, CacheInfo,
};
use netlink_packet_route::link::{
    AfSpecInet6, AfSpecUnspec, In6AddrGenMode, InfoData, InfoKind, InfoMacVlan, LinkAttribute,
    LinkFlags, LinkInfo, LinkMessage, MacVlanMode,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteMessage, RouteProtocol, RouteRealm, RouteScope, RouteType,
};
use netlink_packet_route::rule::{
    RuleAction, RuleAttribute, RuleFlags, RuleMessage, RulePortRange, RuleUidRange,
};
use netlink_packet_route::{AddressFamily, IpProtocol, RouteNetlinkMessage};
use rtnetlink::{Handle, MulticastGroup};

pub use crate::vrrp::addr::AddrSpec;
pub use crate::vrrp::route::{RouteKind, RouteSpec};
use crate::vrrp::rule::RuleAction as RuleRouteAction;
pub use crate::vrrp::rule::RuleSpec;

/// An rtnetlink failure: which operation, and why.
#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    /// The kernel answered with an error; `errno` is positive (libc::E*).
    #[error("{op}: {}", io::Error::from_raw_os_error(*errno))]
    Kernel { op: &'static str, errno: i32 },
    /// Opening the netlink socket or writing a sysctl failed.
    #[error("{op}: {source}")]
    Io {
        op: &'static str,
        #[source]
        source: io::Error,
    },
    /// The connection task is gone, or the kernel sent something unexpected.
    #[error("{op}: {msg}")]
    Protocol { op: &'static str, msg: String },
}

impl NetlinkError {
    /// The kernel errno, when the kernel refused the request.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NetlinkError::Kernel { errno, .. } => Some(*errno),
            NetlinkError::Io { source, .. } => source.raw_os_error(),
            NetlinkError::Protocol { .. } => None,
        }
    }
}

type Result<T> = std::result::Result<T, NetlinkError>;

/// One network interface as the VRRP child needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// Hardware address; zeros when the link has none (or not 6 bytes).
    pub mac: [u8; 6],
    /// IFF_UP.
    pub admin_up: bool,
    /// IFF_RUNNING: keepalived considers an interface up when both IFF_UP and
    /// IFF_RUNNING are set (`IF_FLAGS_UP`).
    pub oper_up: bool,
    pub mtu: u32,
    /// IFLA_LINK: the parent of a macvlan/veth (0 if none).
    pub parent: u32,
    /// IFLA_INFO_KIND as text ("macvlan", "veth", …), when reported.
    pub kind: Option<String>,
    /// The macvlan mode, for macvlans.
    pub macvlan_mode: Option<MacVlanMode>,
}

impl Link {
    /// keepalived's notion of "up": IFF_UP and IFF_RUNNING.
    pub fn is_up(&self) -> bool {
        self.admin_up && self.oper_up
    }
}

/// One address on one interface, as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    pub ifindex: u32,
    /// IFA_LOCAL (IFA_ADDRESS when there is no IFA_LOCAL, as for IPv6).
    pub addr: IpAddr,
    pub prefix: u8,
    pub label: Option<String>,
    /// IFA_ADDRESS when it differs from IFA_LOCAL (a point-to-point peer).
    pub peer: Option<IpAddr>,
    pub broadcast: Option<Ipv4Addr>,
    pub scope: u8,
    /// IFA_F_* (IFA_FLAGS when present, else the header's 8 bits).
    pub flags: u32,
}

/// Result of [`Netlink::add_address`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// We installed the address.
    Added,
    /// The kernel already had it (EEXIST): we did not add it, so whoever
    /// tracks "addresses we own" should not claim it.
    AlreadyPresent,
}

/// What to create for a VRRP instance's `use_vmac`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmacRequest {
    /// The instance's configured interface.
    pub parent_ifindex: u32,
    /// `vrrp.VRID` unless configured.
    pub name: String,
    pub vrid: u8,
    /// IPv6 instance: MAC 00:00:5e:00:02:VRID and a link-local address.
    pub v6: bool,
    /// A configured MAC (`use_vmac` with an address), else the VRRP one.
    pub mac: Option<[u8; 6]>,
    /// Keep IPv6 on the VMAC (IPv6 instance, or IPv4 instance with IPv6
    /// eVIPs); keepalived sets disable_ipv6=1 otherwise.
    pub ipv6_enabled: bool,
}

impl VmacRequest {
    /// keepalived's default: `vrrp.VRID`, VRRP MAC, IPv6 only for v6.
    pub fn new(parent_ifindex: u32, name: &str, vrid: u8, v6: bool) -> VmacRequest {
        VmacRequest {
            parent_ifindex,
            name: name.to_owned(),
            vrid,
            v6,
            mac: None,
            ipv6_enabled: v6,
        }
    }

    /// The MAC the VMAC gets: RFC 5798 section 7.3 virtual router MAC.
    pub fn vmac(&self) -> [u8; 6] {
        self.mac
            .unwrap_or([0, 0, 0x5e, 0, if self.v6 { 2 } else { 1 }, self.vrid])
    }
}

/// What [`Netlink::create_vmac`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmacOutcome {
    pub ifindex: u32,
    /// false when a matching macvlan already existed and was reused
    /// (keepalived: "Found matching interface").
    pub created: bool,
}

/// A change reported by the kernel on the monitoring socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// RTM_NEWLINK: a link appeared or its flags/MAC/MTU changed.
    Link(Link),
    /// RTM_DELLINK.
    LinkDeleted { index: u32, name: String },
    /// RTM_NEWADDR.
    AddrAdded(Addr),
    /// RTM_DELADDR.
    AddrDeleted(Addr),
}

/// The stream returned by [`Netlink::events`]. It owns its connection's
/// handle so the monitoring socket lives exactly as long as the stream.
pub struct NetEvents {
    rx: UnboundedReceiver<(
        NetlinkMessage<RouteNetlinkMessage>,
        rtnetlink::sys::SocketAddr,
    )>,
    _handle: Handle,
}

impl Stream for NetEvents {
    type Item = NetEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<NetEvent>> {
        loop {
            match self.rx.poll_next_unpin(cx) {
                Poll::Ready(Some((msg, _))) => {
                    if let Some(ev) = event_of(msg) {
                        return Poll::Ready(Some(ev));
                    }
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

fn event_of(msg: NetlinkMessage<RouteNetlinkMessage>) -> Option<NetEvent> {
    let NetlinkPayload::InnerMessage(inner) = msg.payload else {
        return None;
    };
    match inner {
        RouteNetlinkMessage::NewLink(l) => Some(NetEvent::Link(link_of(&l))),
        RouteNetlinkMessage::DelLink(l) => {
            let l = link_of(&l);
            Some(NetEvent::LinkDeleted {
                index: l.index,
                name: l.name,
            })
        }
        RouteNetlinkMessage::NewAddress(a) => addr_of(&a).map(NetEvent::AddrAdded),
        RouteNetlinkMessage::DelAddress(a) => addr_of(&a).map(NetEvent::AddrDeleted),
        _ => None,
    }
}

fn link_of(m: &LinkMessage) -> Link {
    let mut link = Link {
        index: m.header.index,
        name: String::new(),
        mac: [0; 6],
        admin_up: m.header.flags.contains(LinkFlags::Up),
        oper_up: m.header.flags.contains(LinkFlags::Running),
        mtu: 0,
        parent: 0,
        kind: None,
        macvlan_mode: None,
    };
    for a in &m.attributes {
        match a {
            LinkAttribute::IfName(n) => link.name = n.clone(),
            LinkAttribute::Address(mac) => {
                if let Ok(m6) = <[u8; 6]>::try_from(mac.as_slice()) {
                    link.mac = m6;
                }
            }
            LinkAttribute::Mtu(mtu) => link.mtu = *mtu,
            LinkAttribute::Link(p) => link.parent = *p,
            LinkAttribute::LinkInfo(infos) => {
                for i in infos {
                    match i {
                        LinkInfo::Kind(k) => link.kind = Some(k.to_string()),
                        LinkInfo::Data(InfoData::MacVlan(d)) => {
                            for x in d {
                                if let InfoMacVlan::Mode(mode) = x {
                                    link.macvlan_mode = Some(*mode);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    link
}

fn addr_of(m: &AddressMessage) -> Option<Addr> {
    let mut local = None;
    let mut address = None;
    let mut out = Addr {
        ifindex: m.header.index,
        addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        prefix: m.header.prefix_len,
        label: None,
        peer: None,
        broadcast: None,
        scope: u8::from(m.header.scope),
        flags: u32::from(m.header.flags.bits()),
    };
    for a in &m.attributes {
        match a {
            AddressAttribute::Local(ip) => local = Some(*ip),
            AddressAttribute::Address(ip) => address = Some(*ip),
            AddressAttribute::Label(l) => out.label = Some(l.clone()),
            AddressAttribute::Broadcast(b) => out.broadcast = Some(*b),
            AddressAttribute::Flags(f) => out.flags = f.bits(),
            _ => {}
        }
    }
    match (local, address) {
        (Some(l), Some(a)) => {
            out.addr = l;
            out.peer = (a != l).then_some(a);
        }
        (Some(x), None) | (None, Some(x)) => out.addr = x,
        (None, None) => return None,
    }
    Some(out)
}

/// A connection to the kernel's routing netlink.
#[derive(Clone)]
pub struct Netlink {
    handle: Handle,
}

impl Netlink {
    /// Opens the request socket and spawns its connection on the current
    /// tokio runtime.
    pub fn new() -> Result<Netlink> {
        let (conn, handle, _) = rtnetlink::new_connection().map_err(|source| NetlinkError::Io {
            op: "netlink connect",
            source,
        })?;
        tokio::spawn(conn);
        Ok(Netlink { handle })
    }

    /// Sends one request and collects the reply messages; a NACK becomes
    /// [`NetlinkError::Kernel`].
    async fn talk(
        &self,
        op: &'static str,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Vec<RouteNetlinkMessage>> {
        let mut req = NetlinkMessage::from(msg);
        req.header.flags = flags;
        let mut handle = self.handle.clone();
        let mut replies = handle.request(req).map_err(|e| NetlinkError::Protocol {
            op,
            msg: e.to_string(),
        })?;
        let mut out = Vec::new();
        while let Some(m) = replies.next().await {
            match m.payload {
                NetlinkPayload::InnerMessage(inner) => out.push(inner),
                NetlinkPayload::Error(e) => {
                    if let Some(code) = e.code {
                        return Err(NetlinkError::Kernel {
                            op,
                            errno: code.get().abs(),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    async fn get_link(&self, op: &'static str, msg: LinkMessage) -> Result<Option<Link>> {
        match self
            .talk(op, RouteNetlinkMessage::GetLink(msg), NLM_F_REQUEST)
            .await
        {
            Ok(replies) => Ok(replies.iter().find_map(|r| match r {
                RouteNetlinkMessage::NewLink(l) => Some(link_of(l)),
                _ => None,
            })),
            Err(NetlinkError::Kernel { errno, .. }) if errno == libc::ENODEV => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The link called `name`, if any.
    pub async fn link_by_name(&self, name: &str) -> Result<Option<Link>> {
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_owned()));
        self.get_link("get link by name", msg).await
    }

    /// The link with index `index`, if any.
    pub async fn link_by_index(&self, index: u32) -> Result<Option<Link>> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        self.get_link("get link by index", msg).await
    }

    /// Every link in the namespace.
    pub async fn links(&self) -> Result<Vec<Link>> {
        let replies = self
            .talk(
                "dump links",
                RouteNetlinkMessage::GetLink(LinkMessage::default()),
                NLM_F_REQUEST | NLM_F_DUMP,
            )
            .await?;
        Ok(replies
            .iter()
            .filter_map(|r| match r {
                RouteNetlinkMessage::NewLink(l) => Some(link_of(l)),
                _ => None,
            })
            .collect())
    }

    /// Every address of every family on every link.
    pub async fn addresses(&self) -> Result<Vec<Addr>> {
        let replies = self
            .talk(
                "dump addresses",
                RouteNetlinkMessage::GetAddress(AddressMessage::default()),
                NLM_F_REQUEST | NLM_F_DUMP,
            )
            .await?;
        Ok(replies
            .iter()
            .filter_map(|r| match r {
                RouteNetlinkMessage::NewAddress(a) => addr_of(a),
                _ => None,
            })
            .collect())
    }

    /// Installs `spec` (RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL, as
    /// keepalived's `netlink_ipaddress`). An address that is already there
    /// is not an error: [`AddOutcome::AlreadyPresent`].
    pub async fn add_address(&self, spec: &AddrSpec) -> Result<AddOutcome> {
        let msg = address_message(spec, true);
        added(
            self.talk(
                "add address",
                RouteNetlinkMessage::NewAddress(msg),
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            )
            .await,
        )
    }

    /// Removes `spec`. `Ok(false)` when it was not there (EADDRNOTAVAIL) or
    /// its interface is gone (ENODEV), which keepalived ignores too.
    pub async fn del_address(&self, spec: &AddrSpec) -> Result<bool> {
        let msg = address_message(spec, false);
        removed(
            self.talk(
                "delete address",
                RouteNetlinkMessage::DelAddress(msg),
                NLM_F_REQUEST | NLM_F_ACK,
            )
            .await,
            &[libc::EADDRNOTAVAIL, libc::ENODEV],
        )
    }

    /// Sets IFF_UP (or clears it) on `index`.
    pub async fn set_link_up(&self, index: u32, up: bool) -> Result<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.header.change_mask = LinkFlags::Up;
        if up {
            msg.header.flags = LinkFlags::Up;
        }
        self.talk(
            "set link up/down",
            RouteNetlinkMessage::SetLink(msg),
            NLM_F_REQUEST | NLM_F_ACK,
        )
        .await
        .map(drop)
    }

    /// Deletes link `index`; `Ok(false)` when it no longer exists.
    pub async fn delete_link(&self, index: u32) -> Result<bool> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        match self
            .talk(
                "delete link",
                RouteNetlinkMessage::DelLink(msg),
                NLM_F_REQUEST | NLM_F_ACK,
            )
            .await
        {
            Ok(_) => Ok(true),
            Err(NetlinkError::Kernel { errno, .. }) if errno == libc::ENODEV => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Creates a veth pair `name` / `peer` (both down). Test topologies use
    /// it; the daemon never creates veths.
    pub async fn create_veth(&self, name: &str, peer: &str) -> Result<u32> {
        let msg = rtnetlink::LinkVeth::new(name, peer).build();
        self.talk(
            "create veth",
            RouteNetlinkMessage::NewLink(msg),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
        )
        .await?;
        self.index_of("create veth", name).await
    }

    async fn index_of(&self, op: &'static str, name: &str) -> Result<u32> {
        match self.link_by_name(name).await? {
            Some(l) => Ok(l.index),
            None => Err(NetlinkError::Protocol {
                op,
                msg: format!("link {name} vanished right after being created"),
            }),
        }
    }

    /// Creates (or reuses) the VMAC of a VRRP instance the way keepalived's
    /// `netlink_link_add_vmac()` does:
    /// - an existing macvlan of that name on the same parent with the right
    ///   MAC and private mode is reused; one with the wrong MAC or mode is
    ///   updated in place; one on another parent is deleted and recreated;
    ///   any other kind of link with that name is an error (EEXIST);
    /// - otherwise a macvlan in private mode with the VRRP MAC is created;
    /// - on creation for an IPv4 instance, the sysctls of [`vmac_sysctls`]
    ///   are written;
    /// - IPv6 is disabled on it unless `ipv6_enabled`;
    /// - IFLA_INET6_ADDR_GEN_MODE is set to NONE (in its own request: the
    ///   kernel ignores IFLA_AF_SPEC on creation) so no EUI-64 link-local
    ///   address appears (RFC 5798 7.4), then the link is brought up;
    /// - an IPv6 instance gets the parent's link-local address (or one built
    ///   from the parent's MAC) as a /64, nodad, preferred_lft 0.
    pub async fn create_vmac(&self, req: &VmacRequest) -> Result<VmacOutcome> {
        const OP: &str = "create vmac";
        let mac = req.vmac();
        let mut update: Option<u32> = None;
        if let Some(existing) = self.link_by_name(&req.name).await? {
            if existing.kind.as_deref() != Some("macvlan") {
                return Err(NetlinkError::Kernel {
                    op: OP,
                    errno: libc::EEXIST,
                });
            }
            if existing.parent != req.parent_ifindex {
                self.delete_link(existing.index).await?;
            } else if existing.mac != mac || existing.macvlan_mode != Some(MacVlanMode::Private) {
                update = Some(existing.index);
            } else {
                self.finish_vmac(req, existing.index).await?;
                return Ok(VmacOutcome {
                    ifindex: existing.index,
                    created: false,
                });
            }
        }
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::MacVlan),
            LinkInfo::Data(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                MacVlanMode::Private,
            )])),
        ]));
        let mut flags = NLM_F_REQUEST | NLM_F_ACK;
        match update {
            Some(index) => msg.header.index = index,
            None => {
                flags |= NLM_F_CREATE | NLM_F_EXCL;
                msg.attributes.push(LinkAttribute::Link(req.parent_ifindex));
                msg.attributes.push(LinkAttribute::IfName(req.name.clone()));
            }
        }
        msg.attributes.push(LinkAttribute::Address(mac.to_vec()));
        self.talk(OP, RouteNetlinkMessage::NewLink(msg), flags)
            .await?;
        let index = self.index_of(OP, &req.name).await?;
        if !req.v6 {
            let parent = self.link_by_index(req.parent_ifindex).await?;
            let parent_name = parent.map(|p| p.name).unwrap_or_default();
            vmac_sysctls(&req.name, &parent_name)?;
        }
        self.finish_vmac(req, index).await?;
        Ok(VmacOutcome {
            ifindex: index,
            created: update.is_none(),
        })
    }

    /// The steps keepalived repeats for a reused VMAC: IPv6 on/off,
    /// ADDR_GEN_MODE none, up, link-local address for IPv6.
    async fn finish_vmac(&self, req: &VmacRequest, index: u32) -> Result<()> {
        write_sysctl(
            "net/ipv6/conf",
            &req.name,
            "disable_ipv6",
            !req.ipv6_enabled as u32,
        )?;
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.attributes
            .push(LinkAttribute::AfSpecUnspec(vec![AfSpecUnspec::Inet6(
                vec![AfSpecInet6::AddrGenMode(In6AddrGenMode::None)],
            )]));
        if let Err(e) = self
            .talk(
                "set vmac addrgenmode none",
                RouteNetlinkMessage::SetLink(msg),
                NLM_F_REQUEST | NLM_F_ACK,
            )
            .await
        {
            // keepalived logs this and carries on.
            tracing::warn!("{}", crate::messages::addr_gen_mode_failed(&req.name, &e));
        }
        self.set_link_up(index, true).await?;
        if req.v6 {
            let ll = self.parent_link_local(req.parent_ifindex).await?;
            let mut spec = AddrSpec::new(index, IpAddr::V6(ll), 64);
            spec.nodad = true;
            spec.preferred_lft = Some(0);
            self.add_address(&spec).await?;
        }
        Ok(())
    }

    /// The parent's link-local address, or the EUI-64 one of its MAC.
    async fn parent_link_local(&self, parent: u32) -> Result<Ipv6Addr> {
        let found = self
            .addresses()
            .await?
            .into_iter()
            .find_map(|a| match a.addr {
                IpAddr::V6(v6) if a.ifindex == parent && v6.segments()[0] & 0xffc0 == 0xfe80 => {
                    Some(v6)
                }
                _ => None,
            });
        if let Some(v6) = found {
            return Ok(v6);
        }
        let mac = self
            .link_by_index(parent)
            .await?
            .map(|l| l.mac)
            .unwrap_or_default();
        Ok(eui64_link_local(mac))
    }

    /// Installs `route` (RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL) with
    /// output interface `oif` (the resolved `route.dev`). EEXIST is
    /// [`AddOutcome::AlreadyPresent`], as for addresses.
    pub async fn add_route(&self, route: &RouteSpec, oif: Option<u32>) -> Result<AddOutcome> {
        let msg = route_message(route, oif);
        added(
            self.talk(
                "add route",
                RouteNetlinkMessage::NewRoute(msg),
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            )
            .await,
        )
    }

    /// Removes `route`; `Ok(false)` when no such route exists (ESRCH).
    pub async fn del_route(&self, route: &RouteSpec, oif: Option<u32>) -> Result<bool> {
        let msg = route_message(route, oif);
        removed(
            self.talk(
                "delete route",
                RouteNetlinkMessage::DelRoute(msg),
                NLM_F_REQUEST | NLM_F_ACK,
            )
            .await,
            &[libc::ESRCH, libc::ENODEV],
        )
    }

    /// Installs `rule` (RTM_NEWRULE with NLM_F_CREATE|NLM_F_EXCL, so the
    /// kernel refuses a duplicate): EEXIST is [`AddOutcome::AlreadyPresent`].
    pub async fn add_rule(&self, rule: &RuleSpec) -> Result<AddOutcome> {
        added(
            self.talk(
                "add rule",
                RouteNetlinkMessage::NewRule(rule_message(rule)),
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            )
            .await,
        )
    }

    /// Removes `rule`; `Ok(false)` when no such rule exists (ENOENT).
    pub async fn del_rule(&self, rule: &RuleSpec) -> Result<bool> {
        removed(
            self.talk(
                "delete rule",
                RouteNetlinkMessage::DelRule(rule_message(rule)),
                NLM_F_REQUEST | NLM_F_ACK,
            )
            .await,
            &[libc::ENOENT],
        )
    }

    /// Opens a monitoring socket on the link and IPv4/IPv6 address groups
    /// (what `ip monitor link address` sees) and returns its events.
    pub fn events(&self) -> Result<NetEvents> {
        let (conn, handle, rx) = rtnetlink::new_multicast_connection(&[
            MulticastGroup::Link,
            MulticastGroup::Ipv4Ifaddr,
            MulticastGroup::Ipv6Ifaddr,
        ])
        .map_err(|source| NetlinkError::Io {
            op: "netlink monitor",
            source,
        })?;
        tokio::spawn(conn);
        Ok(NetEvents {
            rx,
            _handle: handle,
        })
    }
}

/// The outcome of an add request: EEXIST is not an error but
/// [`AddOutcome::AlreadyPresent`] (keepalived's desired-set handling: we
/// only claim what we installed).
fn added<T>(r: Result<T>) -> Result<AddOutcome> {
    match r {
        Ok(_) => Ok(AddOutcome::Added),
        Err(NetlinkError::Kernel { errno, .. }) if errno == libc::EEXIST => {
            Ok(AddOutcome::AlreadyPresent)
        }
        Err(e) => Err(e),
    }
}

/// The outcome of a delete request: `Ok(false)` when the kernel says the
/// object is not there (one of `absent`, which differ per object type).
fn removed<T>(r: Result<T>, absent: &[i32]) -> Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(NetlinkError::Kernel { errno, .. }) if absent.contains(&errno) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The link-local address keepalived derives from a MAC
/// (`make_link_local_address`): fe80::/64 with the modified EUI-64.
pub fn eui64_link_local(mac: [u8; 6]) -> Ipv6Addr {
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        mac[0] ^ 0x02,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ])
}

/// RTM_NEWADDR/RTM_DELADDR body for `spec`, with the attributes keepalived's
/// `netlink_ipaddress()` sends.
fn address_message(spec: &AddrSpec, add: bool) -> AddressMessage {
    let mut m = AddressMessage::default();
    m.header.family = match spec.addr {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    };
    m.header.prefix_len = spec.prefix;
    m.header.scope = AddressScope::from(spec.scope);
    m.header.index = spec.ifindex;
    m.attributes.push(AddressAttribute::Local(spec.addr));
    if !add {
        // IPv4 delete matches on IFA_ADDRESS (the peer for point-to-point).
        if spec.addr.is_ipv4() {
            m.attributes
                .push(AddressAttribute::Address(spec.peer.unwrap_or(spec.addr)));
        }
        return m;
    }
    if let Some(p) = spec.peer {
        m.attributes.push(AddressAttribute::Address(p));
    }
    if let (IpAddr::V4(_), Some(b)) = (spec.addr, spec.broadcast) {
        m.attributes.push(AddressAttribute::Broadcast(b));
    }
    if let Some(l) = &spec.label {
        m.attributes.push(AddressAttribute::Label(l.clone()));
    }
    if let (IpAddr::V6(_), Some(lft)) = (spec.addr, spec.preferred_lft) {
        let mut ci = CacheInfo::default();
        ci.ifa_preferred = lft;
        ci.ifa_valid = u32::MAX;
        m.attributes.push(AddressAttribute::CacheInfo(ci));
    }
    let flags = spec.ifa_flags();
    if flags != 0 {
        m.attributes
            .push(AddressAttribute::Flags(AddressFlags::from_bits_retain(
                flags,
            )));
    }
    m
}

/// RTM_NEWROUTE/RTM_DELROUTE body for `r`, with `ip route`'s defaults:
/// scope link for a gatewayless unicast route, universe otherwise.
fn route_message(r: &RouteSpec, oif: Option<u32>) -> RouteMessage {
    let mut m = RouteMessage::default();
    m.header.address_family = if r.v6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    m.header.destination_prefix_length = r.prefix;
    // Tables above 255 only fit the attribute; the header says RT_TABLE_COMPAT.
    m.header.table = u8::try_from(r.table).unwrap_or(252);
    m.header.protocol = RouteProtocol::from(r.protocol);
    let default_scope = if r.kind == RouteKind::Unicast && r.via.is_none() {
        253
    } else {
        0
    };
    m.header.scope = RouteScope::from(r.scope.unwrap_or(default_scope));
    m.header.kind = RouteType::from(r.kind as u8);
    m.attributes.push(RouteAttribute::Table(r.table));
    if let Some(d) = r.dest {
        m.attributes
            .push(RouteAttribute::Destination(RouteAddress::from(d)));
    }
    if let Some(g) = r.via {
        m.attributes
            .push(RouteAttribute::Gateway(RouteAddress::from(g)));
    }
    if let Some(s) = r.src {
        m.attributes
            .push(RouteAttribute::PrefSource(RouteAddress::from(s)));
    }
    if let Some(i) = oif {
        m.attributes.push(RouteAttribute::Oif(i));
    }
    if let Some(p) = r.metric {
        m.attributes.push(RouteAttribute::Priority(p));
    }
    m
}

/// RTM_NEWRULE/RTM_DELRULE body for `r`, as keepalived's `netlink_rule()`
/// builds it: tables below 256 in the header, larger ones in FRA_TABLE
/// (header RT_TABLE_UNSPEC); l3mdev rules carry no table.
fn rule_message(r: &RuleSpec) -> RuleMessage {
    let mut m = RuleMessage::default();
    m.header.family = if r.v6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    m.header.tos = r.tos;
    if r.invert {
        m.header.flags = RuleFlags::Invert;
    }
    m.header.action = match r.action {
        RuleRouteAction::Table(_) | RuleRouteAction::L3mdev => RuleAction::ToTable,
        RuleRouteAction::Goto(_) => RuleAction::Goto,
        RuleRouteAction::Nop => RuleAction::Nop,
        RuleRouteAction::Blackhole => RuleAction::Blackhole,
        RuleRouteAction::Unreachable => RuleAction::Unreachable,
        RuleRouteAction::Prohibit => RuleAction::Prohibit,
    };
    let a = &mut m.attributes;
    match r.action {
        RuleRouteAction::Table(t) => match u8::try_from(t) {
            Ok(small) => m.header.table = small,
            Err(_) => a.push(RuleAttribute::Table(t)),
        },
        RuleRouteAction::L3mdev => a.push(RuleAttribute::L3MDev(true)),
        RuleRouteAction::Goto(g) => a.push(RuleAttribute::Goto(g)),
        _ => {}
    }
    if let Some((ip, len)) = r.from {
        m.header.src_len = len;
        a.push(RuleAttribute::Source(ip));
    }
    if let Some((ip, len)) = r.to {
        m.header.dst_len = len;
        a.push(RuleAttribute::Destination(ip));
    }
    if let Some(p) = r.priority {
        a.push(RuleAttribute::Priority(p));
    }
    if let Some(f) = r.fwmark {
        a.push(RuleAttribute::FwMark(f));
    }
    if let Some(k) = r.fwmask {
        a.push(RuleAttribute::FwMask(k));
    }
    if let Some(x) = r.realms {
        a.push(RuleAttribute::Realm(RouteRealm {
            source: (x >> 16) as u16,
            destination: (x & 0xffff) as u16,
        }));
    }
    if let Some(s) = r.suppress_prefixlen {
        a.push(RuleAttribute::SuppressPrefixLen(s));
    }
    if let Some(g) = r.suppress_ifgroup {
        a.push(RuleAttribute::SuppressIfGroup(g));
    }
    if let Some(i) = &r.iif {
        a.push(RuleAttribute::Iifname(i.clone()));
    }
    if let Some(o) = &r.oif {
        a.push(RuleAttribute::Oifname(o.clone()));
    }
    if let Some(t) = r.tunnel_id {
        a.push(RuleAttribute::TunId(t));
    }
    if let Some((start, end)) = r.uid_range {
        a.push(RuleAttribute::UidRange(RuleUidRange { start, end }));
    }
    if let Some(p) = r.protocol {
        a.push(RuleAttribute::Protocol(RouteProtocol::from(p)));
    }
    if let Some(p) = r.ip_proto {
        a.push(RuleAttribute::IpProtocol(IpProtocol::from(p)));
    }
    if let Some((start, end)) = r.sport {
        a.push(RuleAttribute::SourcePortRange(RulePortRange { start, end }));
    }
    if let Some((start, end)) = r.dport {
        a.push(RuleAttribute::DestinationPortRange(RulePortRange {
            start,
            end,
        }));
    }
    m
}

/// Writes one `/proc/sys/<prefix>/<iface>/<param>` value.
pub fn write_sysctl(prefix: &str, iface: &str, param: &str, value: u32) -> Result<()> {
    let path = format!("/proc/sys/{prefix}/{iface}/{param}");
    std::fs::write(&path, format!("{value}\n")).map_err(|source| NetlinkError::Io {
        op: "write sysctl",
        source: io::Error::new(source.kind(), format!("{path}: {source}")),
    })
}

/// Reads one `/proc/sys/<prefix>/<iface>/<param>` value.
pub fn read_sysctl(prefix: &str, iface: &str, param: &str) -> Result<u32> {
    let path = format!("/proc/sys/{prefix}/{iface}/{param}");
    let text = std::fs::read_to_string(&path).map_err(|source| NetlinkError::Io {
        op: "read sysctl",
        source: io::Error::new(source.kind(), format!("{path}: {source}")),
    })?;
    text.trim().parse().map_err(|_| NetlinkError::Protocol {
        op: "read sysctl",
        msg: format!("{path}: not a number: {text:?}"),
    })
}

/// Previous values of the parent's sysctls that [`vmac_sysctls`] changed,
/// for restoring at exit (keepalived's `reset_interface_parameters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParentArpConfig {
    pub arp_ignore: Option<u32>,
    pub arp_filter: Option<u32>,
}

/// keepalived's `set_interface_parameters()` for an IPv4 VMAC: on the VMAC
/// arp_ignore=1, accept_local=1, rp_filter=0, promote_secondaries=1 (so it
/// answers ARP only for its own addresses and accepts packets from local
/// addresses coming back over the parent); on the parent arp_ignore and
/// arp_filter raised to 1 (so the parent does not answer ARP for the VIPs
/// with its own MAC). Returns the parent's old values. (The global
/// `all.rp_filter` juggling keepalived does at startup is not done here.)
pub fn vmac_sysctls(vmac: &str, parent: &str) -> Result<ParentArpConfig> {
    const V4: &str = "net/ipv4/conf";
    write_sysctl(V4, vmac, "arp_ignore", 1)?;
    write_sysctl(V4, vmac, "accept_local", 1)?;
    write_sysctl(V4, vmac, "rp_filter", 0)?;
    write_sysctl(V4, vmac, "promote_secondaries", 1)?;
    let mut old = ParentArpConfig::default();
    if parent.is_empty() {
        return Ok(old);
    }
    for (param, slot) in [
        ("arp_ignore", &mut old.arp_ignore),
        ("arp_filter", &mut old.arp_filter),
    ] {
        if let Ok(v) = read_sysctl(V4, parent, param) {
            *slot = Some(v);
            if v != 1 {
                write_sysctl(V4, parent, param, 1)?;
            }
        }
    }
    Ok(old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vrrp_macs() {
        assert_eq!(
            VmacRequest::new(2, "vrrp.51", 51, false).vmac(),
            [0, 0, 0x5e, 0, 1, 51]
        );
        assert_eq!(
            VmacRequest::new(2, "vrrp.51", 51, true).vmac(),
            [0, 0, 0x5e, 0, 2, 51]
        );
    }

    #[test]
    fn eui64() {
        assert_eq!(
            eui64_link_local([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]),
            "fe80::5eff:fe10:1".parse::<Ipv6Addr>().unwrap()
        );
    }

    #[test]
    fn add_message_carries_keepalived_attributes() {
        let mut s = AddrSpec::new(3, "2001:db8::1".parse().unwrap(), 128);
        s.nodad = true;
        s.preferred_lft = Some(0);
        let m = address_message(&s, true);
        assert_eq!(m.header.family, AddressFamily::Inet6);
        assert!(
            m.attributes
                .contains(&AddressAttribute::Flags(AddressFlags::Nodad))
        );
        assert!(
            m.attributes
                .iter()
                .any(|a| matches!(a, AddressAttribute::CacheInfo(c) if c.ifa_preferred == 0))
        );
        let d = address_message(&s, false);
        assert_eq!(d.attributes.len(), 1);
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn rule_message_carries_keepalived_attributes() {
        let r = crate::vrrp::rule::parse_rule(
            &words(
                "from 192.0.2.0/24 to 198.51.100.0/25 iif eth0 oif eth1 not fwmark 7/0xff tos 0x10 \
             preference 100 table 200 realms 1/2 uidrange 5-6 ipproto udp sport 53 dport 1-9 \
             suppress_prefixlength 0",
            ),
            &crate::config::rt_names::RtNames::default(),
        )
        .unwrap();
        let m = rule_message(&r);
        assert_eq!(m.header.family, AddressFamily::Inet);
        assert_eq!(
            (m.header.src_len, m.header.dst_len, m.header.tos),
            (24, 25, 0x10)
        );
        assert_eq!(
            (m.header.table, m.header.action),
            (200, RuleAction::ToTable)
        );
        assert_eq!(m.header.flags, RuleFlags::Invert);
        for a in [
            RuleAttribute::Source("192.0.2.0".parse().unwrap()),
            RuleAttribute::Destination("198.51.100.0".parse().unwrap()),
            RuleAttribute::Iifname("eth0".into()),
            RuleAttribute::Oifname("eth1".into()),
            RuleAttribute::Priority(100),
            RuleAttribute::FwMark(7),
            RuleAttribute::FwMask(255),
            RuleAttribute::Realm(RouteRealm {
                source: 1,
                destination: 2,
            }),
            RuleAttribute::UidRange(RuleUidRange { start: 5, end: 6 }),
            RuleAttribute::IpProtocol(IpProtocol::Udp),
            RuleAttribute::SourcePortRange(RulePortRange { start: 53, end: 53 }),
            RuleAttribute::DestinationPortRange(RulePortRange { start: 1, end: 9 }),
            RuleAttribute::SuppressPrefixLen(0),
            RuleAttribute::Protocol(RouteProtocol::from(18u8)),
        ] {
            assert!(
                m.attributes.contains(&a),
                "{a:?} missing in {:?}",
                m.attributes
            );
        }
        assert!(
            !m.attributes
                .iter()
                .any(|a| matches!(a, RuleAttribute::Table(_)))
        );
    }

    #[test]
    fn rule_message_tables_goto_and_v6() {
        let big = rule_message(
            &crate::vrrp::rule::parse_rule(
                &words("from 2001:db8::/32 table 1000 pref 5"),
                &crate::config::rt_names::RtNames::default(),
            )
            .unwrap(),
        );
        assert_eq!(big.header.family, AddressFamily::Inet6);
        assert_eq!(big.header.table, 0);
        assert!(big.attributes.contains(&RuleAttribute::Table(1000)));
        let goto = rule_message(
            &crate::vrrp::rule::parse_rule(
                &words("goto 300 preference 200 no_track"),
                &crate::config::rt_names::RtNames::default(),
            )
            .unwrap(),
        );
        assert_eq!(goto.header.action, RuleAction::Goto);
        assert!(goto.attributes.contains(&RuleAttribute::Goto(300)));
        assert!(
            !goto
                .attributes
                .iter()
                .any(|a| matches!(a, RuleAttribute::Protocol(_)))
        );
        let l3 = rule_message(
            &crate::vrrp::rule::parse_rule(
                &words("l3mdev pref 1000"),
                &crate::config::rt_names::RtNames::default(),
            )
            .unwrap(),
        );
        assert_eq!(
            (l3.header.action, l3.header.table),
            (RuleAction::ToTable, 0)
        );
        assert!(l3.attributes.contains(&RuleAttribute::L3MDev(true)));
        let bh = rule_message(
            &crate::vrrp::rule::parse_rule(
                &words("blackhole pref 1"),
                &crate::config::rt_names::RtNames::default(),
            )
            .unwrap(),
        );
        assert_eq!(bh.header.action, RuleAction::Blackhole);
    }

    #[test]
    fn errno_mapping() {
        let k = |errno| -> Result<()> { Err(NetlinkError::Kernel { op: "x", errno }) };
        assert_eq!(added(Ok::<(), _>(())).unwrap(), AddOutcome::Added);
        assert_eq!(added(k(libc::EEXIST)).unwrap(), AddOutcome::AlreadyPresent);
        assert!(added(k(libc::EPERM)).is_err());
        assert!(removed(Ok::<(), _>(()), &[libc::ENOENT]).unwrap());
        assert!(!removed(k(libc::ENOENT), &[libc::ENOENT]).unwrap());
        assert!(removed(k(libc::ESRCH), &[libc::ENOENT]).is_err());
    }
}
