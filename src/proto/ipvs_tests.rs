//! Byte-level tests against what `ipvsadm` sent to and received from a real
//! 6.1 kernel (`testdata/ipvs/`, see its README for how they were captured).

use super::*;
use crate::proto::genl::fixture_messages;
use std::net::IpAddr;

fn fx(name: &str) -> Vec<Vec<u8>> {
    let path = format!("{}/testdata/ipvs/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    fixture_messages(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn tcp80() -> ServiceId {
    ServiceId::Addr {
        protocol: IPPROTO_TCP,
        addr: ip("192.0.2.1"),
        port: 80,
    }
}

/// Asserts equality with a readable hex diff.
fn same(got: &[u8], want: &[u8]) {
    let h = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(h(got), h(want));
}

/// ipvsadm sends the whole service (empty scheduler, zero flags...) with dest
/// commands; the kernel reads only its identity there, which is all we send.
/// Keeps the fixture's destination bytes, reduces its SERVICE nest.
fn identity_only(fixture: &[u8]) -> Vec<u8> {
    let mut m = IpvsMessage::parse(fixture).unwrap();
    for a in &mut m.attrs {
        if let CmdAttr::Service(s) = a {
            s.retain(|x| {
                matches!(
                    x,
                    SvcAttr::Af(_)
                        | SvcAttr::Protocol(_)
                        | SvcAttr::Addr(_)
                        | SvcAttr::Port(_)
                        | SvcAttr::Fwmark(_)
                )
            });
        }
    }
    m.to_payload()
}

#[test]
fn new_service_tcp4_wrr() {
    // ipvsadm -A -t 192.0.2.1:80 -s wrr
    let s = Service::new(tcp80(), "wrr");
    same(
        &new_service(&s).to_payload(),
        &fx("new_service_tcp4_wrr")[0],
    );
}

#[test]
fn new_service_udp4_sh_persistent_with_granularity() {
    // ipvsadm -A -u 192.0.2.1:53 -s sh -b sh-fallback,sh-port -p 300 -M 255.255.255.0
    let mut s = Service::new(
        ServiceId::Addr {
            protocol: IPPROTO_UDP,
            addr: ip("192.0.2.1"),
            port: 53,
        },
        "sh",
    );
    s.flags = SVC_F_PERSISTENT | SVC_F_SCHED1 | SVC_F_SCHED2;
    s.timeout = 300;
    s.netmask = u32::from_ne_bytes([255, 255, 255, 0]);
    same(
        &new_service(&s).to_payload(),
        &fx("new_service_udp4_sh_persistent")[0],
    );
}

#[test]
fn new_service_tcp6_persistent_prefix() {
    // ipvsadm -A -t [2001:db8::1]:443 -s rr -p 60 -M 64
    let mut s = Service::new(
        ServiceId::Addr {
            protocol: IPPROTO_TCP,
            addr: ip("2001:db8::1"),
            port: 443,
        },
        "rr",
    );
    s.flags = SVC_F_PERSISTENT;
    s.timeout = 60;
    s.netmask = 64;
    same(
        &new_service(&s).to_payload(),
        &fx("new_service_tcp6_rr_persistent")[0],
    );
}

#[test]
fn new_service_fwmark() {
    // ipvsadm -A -f 7 -s lc
    let s = Service::new(
        ServiceId::Fwmark {
            af: AF_INET,
            mark: 7,
        },
        "lc",
    );
    same(
        &new_service(&s).to_payload(),
        &fx("new_service_fwmark_lc")[0],
    );
}

#[test]
fn set_service_scheduler() {
    // ipvsadm -E -t 192.0.2.1:80 -s wlc
    let s = Service::new(tcp80(), "wlc");
    same(&set_service(&s).to_payload(), &fx("set_service_wlc")[0]);
}

#[test]
fn new_dests_nat_dr_tunnel() {
    // ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3 -x 100 -y 10
    let mut nat = Dest::new(ip("198.51.100.2"), 8080, FwdMethod::Masq, 3);
    nat.u_thresh = 100;
    nat.l_thresh = 10;
    same(
        &new_dest(&tcp80(), &nat).to_payload(),
        &identity_only(&fx("new_dest_nat_thresholds")[0]),
    );
    // ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1
    let dr = Dest::new(ip("198.51.100.3"), 80, FwdMethod::DRoute, 1);
    same(
        &new_dest(&tcp80(), &dr).to_payload(),
        &identity_only(&fx("new_dest_dr")[0]),
    );
    // ipvsadm -a ... -r 198.51.100.4:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-nocsum
    let mut tun = Dest::new(ip("198.51.100.4"), 80, FwdMethod::Tunnel, 2);
    tun.tun_type = TUN_TYPE_GUE;
    tun.tun_port = 6080;
    tun.tun_flags = TUN_FLAG_NOCSUM;
    same(
        &new_dest(&tcp80(), &tun).to_payload(),
        &identity_only(&fx("new_dest_tun_gue")[0]),
    );
}

#[test]
fn set_dest_weight() {
    // ipvsadm -e -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 5
    let d = Dest::new(ip("198.51.100.2"), 8080, FwdMethod::Masq, 5);
    same(
        &set_dest(&tcp80(), &d).to_payload(),
        &identity_only(&fx("set_dest_weight")[0]),
    );
}

#[test]
fn flush_and_dump_requests() {
    same(&flush().to_payload(), &fx("flush")[0]);
    same(
        &get_services().to_payload(),
        &fx("get_service_dump_request")[0],
    );
    same(
        &get_dests(&tcp80()).to_payload(),
        &fx("get_dest_dump_request")[0],
    );
    same(&get_info().to_payload(), &fx("get_info_request")[0]);
}

#[test]
fn deletes_carry_the_identity_ipvsadm_sends() {
    // ipvsadm sends the whole service/dest for deletes; the kernel reads only
    // the identity, so ours is the identity part of the same attributes.
    let m = IpvsMessage::parse(&fx("del_dest_dr")[0]).unwrap();
    assert_eq!(m.cmd, Command::DelDest);
    let CmdAttr::Service(svc) = &m.attrs[0] else {
        panic!()
    };
    assert_eq!(Service::from_attrs(svc).unwrap().id, tcp80());
    let CmdAttr::Dest(d) = &m.attrs[1] else {
        panic!()
    };
    let d = Dest::from_attrs(d, AF_INET).unwrap();
    assert_eq!((d.addr, d.port), (ip("198.51.100.3"), 80));
    let ours = del_dest(&tcp80(), d.addr, d.port);
    assert_eq!(ours.attrs[0], CmdAttr::Service(tcp80().attrs()));
    // identity-only SERVICE nest, then DEST nest with AF, ADDR, PORT
    let mut want = identity_only(&fx("del_dest_dr")[0]);
    want.truncate(4 + 0x30 + 4 + 0x08 + 0x14 + 0x08);
    want[4 + 0x30] = 0x28;
    same(&ours.to_payload(), &want);

    let m = IpvsMessage::parse(&fx("del_service_fwmark")[0]).unwrap();
    assert_eq!(m.cmd, Command::DelService);
    let CmdAttr::Service(svc) = &m.attrs[0] else {
        panic!()
    };
    let id = Service::from_attrs(svc).unwrap().id;
    assert_eq!(
        id,
        ServiceId::Fwmark {
            af: AF_INET,
            mark: 7
        }
    );
    // identity only: AF + FWMARK inside the SERVICE nest
    same(
        &del_service(&id).to_payload(),
        &[
            3, 1, 0, 0, 20, 0, 1, 0x80, 6, 0, 1, 0, 2, 0, 0, 0, 8, 0, 5, 0, 7, 0, 0, 0,
        ],
    );
}

#[test]
fn service_dump_reply_decodes() {
    let svcs: Vec<Service> = fx("get_service_dump_reply")
        .iter()
        .map(|p| parse_service_reply(p).unwrap())
        .collect();
    assert_eq!(svcs.len(), 4);
    assert_eq!(svcs[0].id, tcp80());
    assert_eq!(svcs[0].sched_name, "wlc");
    assert_eq!(svcs[0].flags, SVC_F_HASHED);
    assert_eq!(svcs[0].netmask, u32::MAX);
    assert_eq!(svcs[0].stats, Some(Stats::default()));
    assert_eq!(svcs[1].sched_name, "sh");
    assert_eq!(
        svcs[1].flags,
        SVC_F_HASHED | SVC_F_PERSISTENT | SVC_F_SCHED1 | SVC_F_SCHED2
    );
    assert_eq!(svcs[1].timeout, 300);
    assert_eq!(svcs[1].netmask, u32::from_ne_bytes([255, 255, 255, 0]));
    assert_eq!(
        svcs[2].id,
        ServiceId::Addr {
            protocol: IPPROTO_TCP,
            addr: ip("2001:db8::1"),
            port: 443
        }
    );
    assert_eq!((svcs[2].timeout, svcs[2].netmask), (60, 64));
    assert_eq!(
        svcs[3].id,
        ServiceId::Fwmark {
            af: AF_INET,
            mark: 7
        }
    );
    assert_eq!(svcs[3].sched_name, "lc");
    // the kernel's reply re-encodes to the same bytes (nests lose no data)
    for p in fx("get_service_dump_reply") {
        let m = IpvsMessage::parse(&p).unwrap();
        assert_eq!(m.cmd, Command::NewService);
        let again = IpvsMessage::parse(&m.to_payload()).unwrap();
        assert_eq!(again, m);
    }
}

#[test]
fn dest_dump_reply_decodes() {
    let ds: Vec<Dest> = fx("get_dest_dump_reply")
        .iter()
        .map(|p| parse_dest_reply(p, AF_INET).unwrap())
        .collect();
    assert_eq!(ds.len(), 3);
    assert_eq!(ds[0].addr, ip("198.51.100.4"));
    assert_eq!(ds[0].fwd_method, FwdMethod::Tunnel);
    assert_eq!((ds[0].tun_type, ds[0].tun_port), (TUN_TYPE_GUE, 6080));
    assert_eq!(ds[0].weight, 2);
    assert_eq!(ds[1].fwd_method, FwdMethod::DRoute);
    assert_eq!(
        (ds[2].port, ds[2].weight, ds[2].fwd_method),
        (8080, 5, FwdMethod::Masq)
    );
    assert_eq!(ds[2].stats, Some(Stats::default()));
}

#[test]
fn info_reply_decodes() {
    let i = Info::parse(&fx("get_info_reply")[0]).unwrap();
    assert_eq!(i.version_string(), "1.2.1");
    assert_eq!(i.conn_tab_size, 4096);
}

#[test]
fn unknown_attributes_survive_as_other() {
    let mut w = crate::proto::genl::AttrWriter::new();
    w.nest(1, |w| {
        w.u16(1, AF_INET);
        w.u32(5, 9);
        w.u32(99, 0xdead);
    });
    w.u32(42, 1);
    let mut p = vec![1, 1, 0, 0];
    p.extend(w.buf);
    let m = IpvsMessage::parse(&p).unwrap();
    assert_eq!(m.attrs[1], CmdAttr::Other(42, 1u32.to_ne_bytes().to_vec()));
    let CmdAttr::Service(s) = &m.attrs[0] else {
        panic!()
    };
    assert_eq!(s[2], SvcAttr::Other(99, 0xdeadu32.to_ne_bytes().to_vec()));
    assert_eq!(
        Service::from_attrs(s).unwrap().id,
        ServiceId::Fwmark {
            af: AF_INET,
            mark: 9
        }
    );
}

#[test]
fn config_and_daemon_messages() {
    let t = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    let m = set_config(&t);
    let mut reply = m.to_payload();
    reply[0] = Command::SetConfig.to_u8();
    assert_eq!(parse_config_reply(&reply).unwrap(), t);
    let d = SyncDaemon {
        state: 1,
        mcast_ifn: "eth0".into(),
        sync_id: 5,
        sync_maxlen: Some(1472),
        mcast_group: Some(ip("224.0.0.81")),
        mcast_port: Some(8848),
        mcast_ttl: Some(1),
    };
    let m = IpvsMessage::parse(&new_daemon(&d).to_payload()).unwrap();
    let CmdAttr::Daemon(a) = &m.attrs[0] else {
        panic!()
    };
    assert!(a.contains(&DaemonAttr::McastGroup("224.0.0.81".parse().unwrap())));
    assert!(a.contains(&DaemonAttr::McastPort(8848)));
    assert_eq!(
        IpvsMessage::parse(&del_daemon(1, 5).to_payload())
            .unwrap()
            .attrs,
        vec![CmdAttr::Daemon(vec![
            DaemonAttr::State(1),
            DaemonAttr::SyncId(5)
        ])]
    );
}
