//! Root-only tests of `sys::netlink` and `sys::packet` against the real
//! kernel. Each test runs on its own thread that has unshared its network
//! namespace, with a current_thread tokio runtime built inside that thread
//! (so every netlink socket it opens lives in the throw-away namespace).
//! The namespace disappears when the thread ends, panic or not. `ip`
//! subprocesses forked from that thread inherit its namespace, so they are
//! used as an independent check of what the kernel holds.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::Command;
use std::time::Duration;

use futures::StreamExt;
use keepalived::proto::{arp, ndisc};
use keepalived::sys::netlink::{AddOutcome, AddrSpec, NetEvent, Netlink, VmacRequest, read_sysctl};
use keepalived::sys::packet::PacketSocket;

/// Runs `f` in a fresh network namespace; `false` (after a loud SKIPPED) if
/// not root.
fn in_netns<F, Fut>(test: &str, f: F) -> bool
where
    F: FnOnce(Netlink) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: {test} needs root (network namespaces, netlink writes)");
        return false;
    }
    let joined = std::thread::spawn(move || {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let nl = Netlink::new().expect("netlink");
            tokio::time::timeout(Duration::from_secs(30), f(nl))
                .await
                .expect("test timed out after 30 s");
        });
    })
    .join();
    if let Err(p) = joined {
        std::panic::resume_unwind(p);
    }
    true
}

/// Output of `ip ARGS` run in the current thread's namespace.
fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A veth pair `a`/`b`, both up; returns their indexes.
async fn veth_up(nl: &Netlink, a: &str, b: &str) -> (u32, u32) {
    let ia = nl.create_veth(a, b).await.expect("create veth");
    let ib = nl
        .link_by_name(b)
        .await
        .unwrap()
        .expect("peer exists")
        .index;
    nl.set_link_up(ia, true).await.unwrap();
    nl.set_link_up(ib, true).await.unwrap();
    (ia, ib)
}

#[test]
fn vip_with_label_and_brd_add_is_idempotent_and_delete_is_too() {
    in_netns("vip_add_delete", |nl| async move {
        let (ia, _) = veth_up(&nl, "va", "vb").await;
        let mut spec = AddrSpec::new(ia, "192.0.2.10".parse().unwrap(), 24);
        spec.label = Some("va:vip".into());
        spec.broadcast = Some(Ipv4Addr::new(192, 0, 2, 255));
        assert_eq!(nl.add_address(&spec).await.unwrap(), AddOutcome::Added);
        assert_eq!(
            nl.add_address(&spec).await.unwrap(),
            AddOutcome::AlreadyPresent
        );

        let text = ip(&["-o", "-4", "addr", "show", "dev", "va"]);
        assert!(
            text.contains("inet 192.0.2.10/24 brd 192.0.2.255 scope global va:vip"),
            "{text}"
        );
        let ours: Vec<_> = nl
            .addresses()
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.ifindex == ia && a.addr == spec.addr)
            .collect();
        assert_eq!(ours.len(), 1, "{ours:?}");
        assert_eq!(ours[0].prefix, 24);
        assert_eq!(ours[0].label.as_deref(), Some("va:vip"));
        assert_eq!(ours[0].broadcast, spec.broadcast);
        assert_eq!(ours[0].peer, None);

        assert!(nl.del_address(&spec).await.unwrap());
        assert!(!nl.del_address(&spec).await.unwrap());
        let text = ip(&["-o", "-4", "addr", "show", "dev", "va"]);
        assert!(!text.contains("192.0.2.10"), "{text}");
    });
}

#[test]
fn ipv6_vip_from_config_gets_nodad_and_deprecated() {
    in_netns("ipv6_vip_nodad", |nl| async move {
        let (ia, _) = veth_up(&nl, "va", "vb").await;
        let line = keepalived::config::model::IpAddressLine {
            addr: "2001:db8::10".parse().unwrap(),
            prefix: 128,
            dev: None,
            brd: None,
            scope: None,
            label: None,
            peer: None,
            no_track: false,
            use_vmac: false,
            options: Vec::new(),
            span: keepalived::config::diag::Span {
                file: "t".into(),
                line: 1,
                col: 1,
            },
        };
        let named = keepalived::vrrp::addr::addr_spec(
            &line,
            "va",
            &keepalived::config::rt_names::RtNames::default(),
        );
        assert_eq!(named.dev, "va");
        let spec = named.on(ia);
        assert_eq!(nl.add_address(&spec).await.unwrap(), AddOutcome::Added);
        let text = ip(&["-o", "-6", "addr", "show", "dev", "va"]);
        let line = text
            .lines()
            .find(|l| l.contains("2001:db8::10/128"))
            .unwrap_or_else(|| panic!("VIP missing: {text}"));
        assert!(line.contains("nodad"), "{line}");
        assert!(line.contains("deprecated"), "{line}");
        assert!(!line.contains("tentative"), "{line}");
        let a = nl
            .addresses()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.addr == spec.addr)
            .expect("in dump");
        assert_ne!(a.flags & 0x02, 0, "IFA_F_NODAD in dump: {a:?}");
        assert!(nl.del_address(&spec).await.unwrap());
    });
}

#[test]
fn ipv4_vmac_is_private_macvlan_with_vrrp_mac_and_is_reused() {
    in_netns("ipv4_vmac", |nl| async move {
        let (ia, _) = veth_up(&nl, "va", "vb").await;
        let req = VmacRequest::new(ia, "vrrp.51", 51, false);
        let out = nl.create_vmac(&req).await.unwrap();
        assert!(out.created);
        let link = nl.link_by_index(out.ifindex).await.unwrap().unwrap();
        assert_eq!(link.name, "vrrp.51");
        assert_eq!(link.mac, [0, 0, 0x5e, 0, 1, 51]);
        assert!(link.admin_up);
        assert_eq!(link.parent, ia);
        let d = ip(&["-d", "link", "show", "vrrp.51"]);
        assert!(d.contains("macvlan mode private"), "{d}");
        assert!(d.contains("addrgenmode none"), "{d}");
        let v4 = "net/ipv4/conf";
        assert_eq!(read_sysctl(v4, "vrrp.51", "arp_ignore").unwrap(), 1);
        assert_eq!(read_sysctl(v4, "vrrp.51", "accept_local").unwrap(), 1);
        assert_eq!(read_sysctl(v4, "vrrp.51", "rp_filter").unwrap(), 0);
        assert_eq!(
            read_sysctl(v4, "vrrp.51", "promote_secondaries").unwrap(),
            1
        );
        assert_eq!(read_sysctl(v4, "va", "arp_ignore").unwrap(), 1);
        assert_eq!(read_sysctl(v4, "va", "arp_filter").unwrap(), 1);
        assert_eq!(
            read_sysctl("net/ipv6/conf", "vrrp.51", "disable_ipv6").unwrap(),
            1
        );

        // A second start finds the matching interface and keeps it.
        let again = nl.create_vmac(&req).await.unwrap();
        assert_eq!(again.ifindex, out.ifindex);
        assert!(!again.created);

        assert!(nl.delete_link(out.ifindex).await.unwrap());
        assert!(nl.link_by_name("vrrp.51").await.unwrap().is_none());
        assert!(!nl.delete_link(out.ifindex).await.unwrap());
    });
}

#[test]
fn ipv6_vmac_gets_v6_mac_and_link_local_and_wrong_mac_is_updated() {
    in_netns("ipv6_vmac", |nl| async move {
        let (ia, _) = veth_up(&nl, "va", "vb").await;
        // A stale VMAC with the IPv4 MAC: keepalived updates it in place.
        let stale = nl
            .create_vmac(&VmacRequest::new(ia, "vrrp6.52", 52, false))
            .await
            .unwrap();
        let req = VmacRequest::new(ia, "vrrp6.52", 52, true);
        let out = nl.create_vmac(&req).await.unwrap();
        assert_eq!(out.ifindex, stale.ifindex);
        let link = nl.link_by_index(out.ifindex).await.unwrap().unwrap();
        assert_eq!(link.mac, [0, 0, 0x5e, 0, 2, 52]);
        let d = ip(&["-d", "link", "show", "vrrp6.52"]);
        assert!(d.contains("macvlan mode private"), "{d}");
        assert!(d.contains("addrgenmode none"), "{d}");
        // The only link-local address is the parent's, not an EUI-64 of the VMAC.
        let parent_ll: Vec<Ipv6Addr> = nl
            .addresses()
            .await
            .unwrap()
            .into_iter()
            .filter_map(|a| match a.addr {
                IpAddr::V6(v6) if a.ifindex == out.ifindex => Some(v6),
                _ => None,
            })
            .collect();
        assert_eq!(parent_ll.len(), 1, "{parent_ll:?}");
        assert_eq!(parent_ll[0].segments()[0], 0xfe80);
        assert_ne!(
            parent_ll[0],
            keepalived::sys::netlink::eui64_link_local([0, 0, 0x5e, 0, 2, 52])
        );
        assert!(nl.delete_link(out.ifindex).await.unwrap());
    });
}

#[test]
fn link_and_address_events_follow_the_kernel() {
    in_netns("link_events", |nl| async move {
        let (ia, _) = veth_up(&nl, "va", "vb").await;
        let mut events = nl.events().unwrap();
        nl.set_link_up(ia, false).await.unwrap();
        wait_for(
            &mut events,
            move |e| matches!(e, NetEvent::Link(l) if l.index == ia && !l.admin_up && !l.is_up()),
        )
        .await;
        nl.set_link_up(ia, true).await.unwrap();
        let ev = wait_for(
            &mut events,
            move |e| matches!(e, NetEvent::Link(l) if l.index == ia && l.admin_up && l.oper_up),
        )
        .await;
        if let NetEvent::Link(l) = ev {
            assert_eq!(l.name, "va");
        }
        let spec = AddrSpec::new(ia, "198.51.100.1".parse().unwrap(), 24);
        nl.add_address(&spec).await.unwrap();
        wait_for(
            &mut events,
            move |e| matches!(e, NetEvent::AddrAdded(a) if a.ifindex == ia && a.addr == spec.addr),
        )
        .await;
        let spec = AddrSpec::new(ia, "198.51.100.1".parse().unwrap(), 24);
        nl.del_address(&spec).await.unwrap();
        wait_for(&mut events, move |e| {
            matches!(e, NetEvent::AddrDeleted(a) if a.ifindex == ia && a.addr == spec.addr)
        })
        .await;
    });
}

/// The first event matching `pred` within 5 s.
async fn wait_for(
    events: &mut keepalived::sys::netlink::NetEvents,
    pred: impl Fn(&NetEvent) -> bool,
) -> NetEvent {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let ev = events.next().await.expect("event stream ended");
            if pred(&ev) {
                return ev;
            }
        }
    })
    .await
    .expect("no matching event within 5 s")
}

/// Receives on `rx` until `want` arrives or 3 s pass.
fn expect_frame(rx: &PacketSocket, want: &[u8]) {
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left.max(Duration::from_millis(1))).unwrap() {
            Some(f) if f == want => return,
            Some(f) => seen.push(f),
            None => break,
        }
    }
    panic!("frame never arrived; saw {seen:02x?}");
}

#[test]
fn garp_and_na_sent_on_a_veth_arrive_byte_for_byte_on_the_peer() {
    in_netns("garp_na_on_veth", |nl| async move {
        let (ia, ib) = veth_up(&nl, "va", "vb").await;
        let mac = nl.link_by_index(ia).await.unwrap().unwrap().mac;

        let rx = PacketSocket::open_receiver(ib, arp::ETHERTYPE_ARP).unwrap();
        let garp = arp::gratuitous_arp(mac, Ipv4Addr::new(192, 0, 2, 100));
        PacketSocket::open(ia, arp::ETHERTYPE_ARP)
            .unwrap()
            .send(&garp)
            .unwrap();
        expect_frame(&rx, &garp);

        let rx6 = PacketSocket::open_receiver(ib, ndisc::ETHERTYPE_IPV6).unwrap();
        let vip: Ipv6Addr = "2001:db8::100".parse().unwrap();
        let na = ndisc::unsolicited_na(mac, vip, vip, false);
        PacketSocket::open(ia, ndisc::ETHERTYPE_IPV6)
            .unwrap()
            .send(&na)
            .unwrap();
        expect_frame(&rx6, &na);
    });
}

#[test]
fn routes_from_config_words_are_added_and_deleted() {
    in_netns("routes", |nl| async move {
        let (ia, _) = veth_up(&nl, "va", "vb").await;
        let addr = AddrSpec::new(ia, "198.51.100.2".parse().unwrap(), 24);
        nl.add_address(&addr).await.unwrap();
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let via = keepalived::vrrp::route::parse_route(
            &words("192.0.2.0/24 via 198.51.100.1 dev va table 100 metric 7"),
            &keepalived::config::rt_names::RtNames::default(),
        )
        .unwrap();
        let hole = keepalived::vrrp::route::parse_route(
            &words("blackhole 203.0.113.0/24"),
            &keepalived::config::rt_names::RtNames::default(),
        )
        .unwrap();
        assert_eq!(
            nl.add_route(&via, Some(ia)).await.unwrap(),
            AddOutcome::Added
        );
        assert_eq!(
            nl.add_route(&via, Some(ia)).await.unwrap(),
            AddOutcome::AlreadyPresent
        );
        assert_eq!(nl.add_route(&hole, None).await.unwrap(), AddOutcome::Added);
        let t100 = ip(&["-4", "route", "show", "table", "100"]);
        assert!(
            t100.contains("192.0.2.0/24 via 198.51.100.1 dev va metric 7"),
            "{t100}"
        );
        let main = ip(&["-4", "route", "show"]);
        assert!(main.contains("blackhole 203.0.113.0/24"), "{main}");
        assert!(nl.del_route(&via, Some(ia)).await.unwrap());
        assert!(!nl.del_route(&via, Some(ia)).await.unwrap());
        assert!(nl.del_route(&hole, None).await.unwrap());
        assert!(!ip(&["-4", "route", "show", "table", "100"]).contains("192.0.2.0"));
    });
}
