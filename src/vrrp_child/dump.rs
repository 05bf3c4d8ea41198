//! The files the VRRP child writes on signals, in keepalived 2.2.7's
//! layouts: `keepalived.stats` (SIGUSR2, and SIGRTMAX-1 which also clears
//! the counters), `keepalived.json` (SIGRTMIN+2) and `keepalived.data`
//! (SIGUSR1). Pure renderers; the driver writes the files.

use std::fmt::Write;

use super::node::{Node, Stats};

fn err(s: &Stats, name: &str) -> u64 {
    s.errors.get(name).copied().unwrap_or(0)
}

/// Every per-instance counter under its keepalived JSON name, in the JSON
/// file's order: the one list both dump formats read.
fn counters(s: &Stats) -> [(&'static str, u64); 14] {
    [
        ("advert_rcvd", s.advert_rcvd),
        ("advert_sent", s.advert_sent),
        ("become_master", s.become_master),
        ("release_master", s.release_master),
        ("packet_len_err", err(s, "packet_len_err")),
        // keepalived 2.2.7 never counts this one either.
        ("advert_interval_err", 0),
        ("ip_ttl_err", err(s, "ip_ttl_err")),
        ("invalid_type_rcvd", err(s, "invalid_type_rcvd")),
        ("addr_list_err", err(s, "addr_list_err")),
        ("invalid_authtype", err(s, "invalid_authtype")),
        ("authtype_mismatch", err(s, "authtype_mismatch")),
        ("auth_failure", err(s, "auth_failure")),
        ("pri_zero_rcvd", s.pri_zero_rcvd),
        ("pri_zero_sent", s.pri_zero_sent),
    ]
}

/// `vrrp_print_stats()`'s layout: a heading (no counter) or a label and
/// the counter printed after it.
const STATS_LAYOUT: &[(&str, Option<&str>)] = &[
    ("  Advertisements:", None),
    ("    Received", Some("advert_rcvd")),
    ("    Sent", Some("advert_sent")),
    ("  Became master", Some("become_master")),
    ("  Released master", Some("release_master")),
    ("  Packet Errors:", None),
    ("    Length", Some("packet_len_err")),
    ("    TTL", Some("ip_ttl_err")),
    ("    Invalid Type", Some("invalid_type_rcvd")),
    ("    Advertisement Interval", Some("advert_interval_err")),
    ("    Address List", Some("addr_list_err")),
    ("  Authentication Errors:", None),
    ("    Invalid Type", Some("invalid_authtype")),
    ("    Type Mismatch", Some("authtype_mismatch")),
    ("    Failure", Some("auth_failure")),
    ("  Priority Zero:", None),
    ("    Received", Some("pri_zero_rcvd")),
    ("    Sent", Some("pri_zero_sent")),
];

/// `keepalived.stats`, as `vrrp_print_stats()` writes it.
pub fn stats(nodes: &[Node]) -> String {
    let mut o = String::new();
    for n in nodes {
        let c = counters(&n.stats);
        let _ = writeln!(o, "VRRP Instance: {}", n.name);
        for (label, key) in STATS_LAYOUT {
            match key {
                None => {
                    let _ = writeln!(o, "{label}");
                }
                Some(k) => {
                    let v = c.iter().find(|(n, _)| n == k).map_or(0, |(_, v)| *v);
                    let _ = writeln!(o, "{label}: {v}");
                }
            }
        }
    }
    o
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// keepalived's state numbers in its JSON (`VRRP_STATE_*`).
fn state_number(s: crate::vrrp::State) -> u8 {
    use crate::vrrp::State::*;
    match s {
        Init => 0,
        Backup => 1,
        Master => 2,
        Fault => 3,
        Stop => 98,
    }
}

/// `keepalived.json` (version 1 layout: an array of `{"data": …,
/// "stats": …}`), with the data fields operators read most; the stats
/// object is complete.
pub fn json(nodes: &[Node]) -> String {
    let mut o = String::from("[");
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let stats: Vec<String> = counters(&n.stats)
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        let vips: Vec<String> = n
            .vips
            .iter()
            .map(|v| json_str(&format!("{}", v.addr)))
            .collect();
        let _ = write!(
            o,
            "{{\"data\":{{\"iname\":{},\"ifp_ifname\":{},\"vrid\":{},\"state\":{},\
             \"base_priority\":{},\"effective_priority\":{},\"vipset\":{},\
             \"version\":{},\"adver_int\":{},\"master_priority\":{},\"vips\":[{}]}},\
             \"stats\":{{{}}}}}",
            json_str(&n.name),
            json_str(&n.ifname),
            n.vrid,
            state_number(n.fsm.state()),
            n.fsm.settings().base_priority,
            n.fsm.effective_priority(),
            n.fsm.vips_set(),
            n.params.version.number(),
            n.params.adver_int / 1_000_000,
            n.fsm.master().map_or(0, |(_, p)| p),
            vips.join(","),
            stats.join(","),
        );
    }
    o.push(']');
    o
}

/// `keepalived.data`: the VRRP topology section of keepalived's dump
/// (instance by instance, state and the fields operators read).
pub fn data(nodes: &[Node]) -> String {
    let mut o = String::from("------< VRRP Topology >------\n");
    for n in nodes {
        let f = &n.fsm;
        let _ = writeln!(o, " VRRP Instance = {}", n.name);
        let _ = writeln!(o, "   State = {}", f.state());
        if let Some((addr, prio)) = f.master() {
            let _ = writeln!(o, "   Master router = {addr}");
            let _ = writeln!(o, "   Master priority = {prio}");
        }
        let _ = writeln!(o, "   Interface = {}", n.ifname);
        let _ = writeln!(o, "   Virtual Router ID = {}", n.vrid);
        let _ = writeln!(o, "   Priority = {}", f.settings().base_priority);
        let _ = writeln!(o, "   Effective priority = {}", f.effective_priority());
        let _ = writeln!(o, "   Advert interval = {}ms", n.params.adver_int / 1000);
        let _ = writeln!(o, "   Virtual IP = {}", n.vips.len());
        for v in &n.vips {
            let _ = writeln!(
                o,
                "     {}/{} dev {}{}",
                v.addr,
                v.prefix,
                v.dev.as_deref().unwrap_or(&n.ifname),
                if f.vips_set() { " (set)" } else { "" }
            );
        }
    }
    o
}

/// keepalived's temporary directory: `$TMPDIR` when absolute, else /tmp.
pub fn tmp_path(name: &str) -> std::path::PathBuf {
    let env = std::env::var("TMPDIR").ok();
    std::path::Path::new(crate::log::tmp_dir(env.as_deref())).join(name)
}

/// Writes `text` to `name` in the temporary directory, mode 0600, via a
/// temporary name renamed into place (readers never see half a file).
pub fn write(name: &str, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let path = tmp_path(name);
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    std::fs::rename(&tmp, &path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{Config, VrrpInstance};
    use crate::vrrp_child::iface::IfaceInfo;

    /// VI_1, VRID 51, with zeroed counters.
    fn node() -> Node {
        let inst = VrrpInstance {
            name: "VI_1".into(),
            vrid: Some(51),
            ..VrrpInstance::default()
        };
        Node::new(&Config::default(), &inst, &IfaceInfo::default())
    }

    #[test]
    fn stats_file_has_keepalived_2_2_7_layout() {
        let mut n = node();
        n.stats.advert_rcvd = 7;
        n.stats.errors.insert("auth_failure", 2);
        let expected = "VRRP Instance: VI_1\n  Advertisements:\n    Received: 7\n    Sent: 0\n  \
Became master: 0\n  Released master: 0\n  Packet Errors:\n    Length: 0\n    TTL: 0\n    \
Invalid Type: 0\n    Advertisement Interval: 0\n    Address List: 0\n  Authentication Errors:\n    \
Invalid Type: 0\n    Type Mismatch: 0\n    Failure: 2\n  Priority Zero:\n    Received: 0\n    Sent: 0\n";
        assert_eq!(stats(&[n]), expected);
    }

    #[test]
    fn json_stats_object_names_every_counter_in_keepalived_order() {
        let mut n = node();
        n.stats.advert_sent = 3;
        n.stats.errors.insert("ip_ttl_err", 4);
        let j = json(&[n]);
        assert!(
            j.ends_with(
                "\"stats\":{\"advert_rcvd\":0,\"advert_sent\":3,\"become_master\":0,\
                 \"release_master\":0,\"packet_len_err\":0,\"advert_interval_err\":0,\
                 \"ip_ttl_err\":4,\"invalid_type_rcvd\":0,\"addr_list_err\":0,\
                 \"invalid_authtype\":0,\"authtype_mismatch\":0,\"auth_failure\":0,\
                 \"pri_zero_rcvd\":0,\"pri_zero_sent\":0}}]"
            ),
            "{j}"
        );
    }
}
