//! `keepalived -d`: the parsed model written back as canonical
//! keepalived.conf. Reading the output again gives the same model (tested on
//! every corpus file), so the dump shows exactly what the daemon will do:
//! defaults made explicit, bad values dropped, one keyword per line.
//!
//! Every model struct is destructured without `..`, so a field added to the
//! model without a line here is a compile error rather than a silent gap.

use std::fmt::Write as _;
use std::net::IpAddr;

use super::model::*;

/// A word as the lexer will read it back: quoted when it holds blanks,
/// braces, quotes or comment characters.
fn word(s: &str) -> String {
    let special = |c: char| c.is_whitespace() || matches!(c, '{' | '}' | '"' | '#' | '!' | '\\');
    if !s.is_empty() && !s.contains(special) && !s.starts_with(['@', '$', '~']) {
        return s.to_owned();
    }
    // Inside double quotes only `"` needs care; a value that holds one
    // cannot be written back (keepalived has no escape for it) and is
    // dropped by the reader the same way the first time.
    format!("\"{}\"", s.replace('"', ""))
}

/// Seconds with up to 6 decimals, from keepalived's µs.
fn secs(us: u64) -> String {
    let (s, frac) = (us / TIMER_HZ, us % TIMER_HZ);
    if frac == 0 {
        s.to_string()
    } else {
        format!("{s}.{frac:06}").trim_end_matches('0').to_owned()
    }
}

fn yn(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// A script as the re-tokeniser reads it: one double-quoted word holding
/// the command and arguments (single-quoted where needed), then the user.
fn script(s: &Script) -> String {
    let Script {
        args,
        user,
        group,
        uid: _,
        gid: _,
        span: _,
    } = s;
    let cmd = args
        .iter()
        .map(|a| {
            if a.is_empty()
                || a.contains(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '\\'))
            {
                format!(
                    "'{}'",
                    a.replace('\\', "\\\\")
                        .replace('\'', "\\'")
                        .replace('"', "")
                )
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = format!("\"{cmd}\"");
    if let Some(u) = user {
        out.push(' ');
        out.push_str(&word(u));
        if let Some(g) = group {
            out.push(' ');
            out.push_str(&word(g));
        }
    }
    out
}

struct Out {
    s: String,
    depth: usize,
}

impl Out {
    fn line(&mut self, text: impl AsRef<str>) {
        for _ in 0..self.depth {
            self.s.push_str("    ");
        }
        self.s.push_str(text.as_ref());
        self.s.push('\n');
    }
    fn open(&mut self, text: impl AsRef<str>) {
        self.line(format!("{} {{", text.as_ref()));
        self.depth += 1;
    }
    fn close(&mut self) {
        self.depth -= 1;
        self.line("}");
    }
    fn opt<T: std::fmt::Display>(&mut self, kw: &str, v: &Option<T>) {
        if let Some(v) = v {
            self.line(format!("{kw} {v}"));
        }
    }
    fn opt_word(&mut self, kw: &str, v: &Option<String>) {
        if let Some(v) = v {
            self.line(format!("{kw} {}", word(v)));
        }
    }
    fn flag(&mut self, kw: &str, on: bool) {
        if on {
            self.line(kw);
        }
    }
    fn opt_bool(&mut self, kw: &str, v: Option<bool>) {
        if let Some(b) = v {
            self.line(format!("{kw} {}", yn(b)));
        }
    }
    fn opt_secs(&mut self, kw: &str, v: Option<u64>) {
        if let Some(v) = v {
            self.line(format!("{kw} {}", secs(v)));
        }
    }
    fn opt_script(&mut self, kw: &str, v: &Option<Script>) {
        if let Some(s) = v {
            self.line(format!("{kw} {}", script(s)));
        }
    }
    fn opt_bscript(&mut self, kw: &str, v: &Option<Box<Script>>) {
        if let Some(s) = v {
            self.line(format!("{kw} {}", script(s)));
        }
    }
    fn raw(&mut self, section: &str, raws: &[RawKeyword]) {
        for r in raws.iter().filter(|r| r.section == section) {
            let words: Vec<String> = r.words.iter().map(|w| word(w)).collect();
            self.line(words.join(" "));
        }
    }
    fn values(&mut self, kw: &str, items: impl IntoIterator<Item = String>) {
        let items: Vec<String> = items.into_iter().collect();
        if items.is_empty() {
            return;
        }
        self.open(kw);
        for i in items {
            self.line(i);
        }
        self.close();
    }
}

/// The canonical configuration text of `cfg`.
pub fn dump(cfg: &Config) -> String {
    let mut o = Out {
        s: String::new(),
        depth: 0,
    };
    let Config {
        global,
        net_namespace,
        net_namespace_ipvs,
        instance_name,
        use_pid_dir,
        namespace_with_ipsets,
        linkbeat_use_polling,
        child_wait_time,
        vrrp_scripts,
        track_files,
        track_processes,
        sync_groups,
        vrrp_instances,
        static_addresses,
        static_routes,
        static_rules,
        track_groups,
        garp_groups,
        linkbeat_interfaces,
        interface_up_down_delays,
        bfd_instances,
        ssl,
        virtual_server_groups,
        virtual_servers,
        unsupported,
    } = cfg;
    o.opt_word("net_namespace", net_namespace);
    o.opt_word("net_namespace_ipvs", net_namespace_ipvs);
    o.opt_word("instance", instance_name);
    o.flag("use_pid_dir", *use_pid_dir);
    o.flag("namespace_with_ipsets", *namespace_with_ipsets);
    o.flag("linkbeat_use_polling", *linkbeat_use_polling);
    o.opt("child_wait_time", child_wait_time);
    dump_global(&mut o, global, unsupported);
    for g in track_groups {
        let TrackGroup { name, members } = g;
        o.open(format!("track_group {}", word(name)));
        o.values("group", members.iter().map(|m| word(m)));
        o.close();
    }
    o.values("static_ipaddress", static_addresses.iter().map(address));
    o.values(
        "static_routes",
        static_routes.iter().map(|r| words(&r.words)),
    );
    o.values("static_rules", static_rules.iter().map(|r| words(&r.words)));
    for (i, g) in garp_groups.iter().enumerate() {
        let _ = i;
        let GarpGroup {
            garp_interval,
            gna_interval,
            interfaces,
        } = g;
        o.open("garp_group");
        o.opt_secs("garp_interval", *garp_interval);
        o.opt_secs("gna_interval", *gna_interval);
        o.values("interfaces", interfaces.iter().map(|i| word(i)));
        o.close();
    }
    o.values(
        "linkbeat_interfaces",
        linkbeat_interfaces.iter().map(|(i, k)| match k {
            Some(k) => format!("{} {}", word(i), word(k)),
            None => word(i),
        }),
    );
    o.values(
        "interface_up_down_delays",
        interface_up_down_delays
            .iter()
            .map(|(i, d, u)| format!("{} {} {}", word(i), secs(*d), secs(*u))),
    );
    for t in track_files {
        let TrackFile {
            name,
            span: _,
            file,
            weight,
            weight_reverse,
            init_file,
            deprecated_vrrp_prefix: _,
        } = t;
        o.open(format!("track_file {}", word(name)));
        o.opt_word("file", file);
        o.line(format!(
            "weight {weight}{}",
            if *weight_reverse { " reverse" } else { "" }
        ));
        if let Some((v, overwrite)) = init_file {
            o.line(format!(
                "init_file {v}{}",
                if *overwrite { " overwrite" } else { "" }
            ));
        }
        o.close();
    }
    for t in track_processes {
        let TrackProcess {
            name,
            span: _,
            process,
            param_match,
            weight,
            weight_reverse,
            quorum,
            quorum_max,
            fork_delay,
            terminate_delay,
            full_command,
        } = t;
        o.open(format!("vrrp_track_process {}", word(name)));
        if let Some(p) = process {
            o.line(format!("process {}", words(p)));
        }
        o.opt_word("param_match", param_match);
        if *weight != 0 {
            o.line(format!(
                "weight {weight}{}",
                if *weight_reverse { " reverse" } else { "" }
            ));
        }
        o.opt("quorum_max", quorum_max);
        if quorum_max != &Some(0) {
            o.line(format!("quorum {quorum}"));
        }
        if *fork_delay > 0 {
            o.line(format!("fork_delay {}", secs(*fork_delay)));
        }
        if *terminate_delay > 0 {
            o.line(format!("terminate_delay {}", secs(*terminate_delay)));
        }
        o.flag("full_command", *full_command);
        o.close();
    }
    for s in vrrp_scripts {
        dump_vrrp_script(&mut o, s);
    }
    for b in bfd_instances {
        let BfdInstance {
            name,
            span: _,
            neighbor,
            source,
            raw,
        } = b;
        o.open(format!("bfd_instance {}", word(name)));
        o.opt("neighbor_ip", neighbor);
        o.opt("source_ip", source);
        o.raw("bfd_instance", raw);
        o.close();
    }
    for v in vrrp_instances {
        dump_instance(&mut o, v);
    }
    for g in sync_groups {
        dump_sync_group(&mut o, g);
    }
    if let Some(s) = ssl {
        let SslCtx {
            password,
            ca,
            certificate,
            key,
        } = s;
        o.open("SSL");
        o.opt_word("password", password);
        o.opt_word("ca", ca);
        o.opt_word("certificate", certificate);
        o.opt_word("key", key);
        o.close();
    }
    for g in virtual_server_groups {
        let VirtualServerGroup {
            name,
            span: _,
            entries,
        } = g;
        o.values(
            &format!("virtual_server_group {}", word(name)),
            entries.iter().map(vsg_entry),
        );
    }
    for vs in virtual_servers {
        dump_vs(&mut o, vs);
    }
    o.s
}

fn words(ws: &[String]) -> String {
    ws.iter().map(|w| word(w)).collect::<Vec<_>>().join(" ")
}

fn dump_global(o: &mut Out, g: &GlobalDefs, raws: &[RawKeyword]) {
    let GlobalDefs {
        router_id,
        notification_email,
        notification_email_from,
        smtp_server,
        smtp_helo_name,
        smtp_connect_timeout,
        smtp_auth_user,
        smtp_auth_pass,
        smtp_tls,
        smtp_tls_ca,
        smtp_alert,
        smtp_alert_vrrp,
        smtp_alert_checker,
        no_email_faults,
        checker_log_all_failures,
        script_user,
        script_security,
        startup_script,
        shutdown_script,
        startup_script_timeout,
        shutdown_script_timeout,
        dynamic_interfaces,
        default_interface,
        vrrp_version,
        vrrp_mcast_group4,
        vrrp_mcast_group6,
        vrrp_garp_master_delay,
        vrrp_garp_master_repeat,
        vrrp_garp_master_refresh,
        vrrp_garp_master_refresh_repeat,
        vrrp_garp_lower_prio_delay,
        vrrp_garp_lower_prio_repeat,
        vrrp_garp_interval,
        vrrp_gna_interval,
        vrrp_min_garp,
        vrrp_down_timer_adverts,
        vrrp_lower_prio_no_advert,
        vrrp_higher_prio_send_advert,
        vrrp_check_unicast_src,
        vrrp_skip_check_adv_addr,
        vrrp_strict,
        vrrp_startup_delay,
        log_unknown_vrids,
        vmac_prefix,
        lvs_flush,
        lvs_flush_on_stop,
        lvs_flush_on_stop_vs,
        lvs_timeouts,
        lvs_sync_daemon,
        notify_fifo,
        vrrp_notify_fifo,
        lvs_notify_fifo,
        vrrp_notify_priority_changes,
        max_auto_priority,
        // Kept with the raw keyword (printed from `unsupported`).
        umask: _,
        enable_snmp: _,
        process_names: _,
        enable_dbus,
        rs_init_notifies,
        no_checker_emails,
        include_check,
    } = g;
    o.open("global_defs");
    o.opt_word("router_id", router_id);
    o.values(
        "notification_email",
        notification_email.iter().map(|e| word(e)),
    );
    o.opt_word("notification_email_from", notification_email_from);
    if let Some((h, p)) = smtp_server {
        o.line(format!("smtp_server {} {p}", word(h)));
    }
    o.opt_word("smtp_helo_name", smtp_helo_name);
    o.opt("smtp_connect_timeout", smtp_connect_timeout);
    o.opt_word("smtp_auth_user", smtp_auth_user);
    o.opt_word("smtp_auth_pass", smtp_auth_pass);
    if *smtp_tls != crate::config::model::SmtpTls::None {
        o.line(format!("smtp_tls {}", smtp_tls.word()));
    }
    o.opt_word("smtp_tls_ca", smtp_tls_ca);
    o.opt_bool("smtp_alert", *smtp_alert);
    o.opt_bool("smtp_alert_vrrp", *smtp_alert_vrrp);
    o.opt_bool("smtp_alert_checker", *smtp_alert_checker);
    o.flag("no_email_faults", *no_email_faults);
    o.flag("checker_log_all_failures", *checker_log_all_failures);
    if let Some((u, gr)) = script_user {
        o.line(format!(
            "script_user {}{}",
            word(u),
            gr.as_ref()
                .map(|g| format!(" {}", word(g)))
                .unwrap_or_default()
        ));
    }
    o.flag("enable_script_security", *script_security);
    o.opt_script("startup_script", startup_script);
    o.opt("startup_script_timeout", startup_script_timeout);
    o.opt_script("shutdown_script", shutdown_script);
    o.opt("shutdown_script_timeout", shutdown_script_timeout);
    o.flag("dynamic_interfaces", *dynamic_interfaces);
    o.opt_word("default_interface", default_interface);
    o.opt("vrrp_version", vrrp_version);
    o.opt("vrrp_mcast_group4", vrrp_mcast_group4);
    o.opt("vrrp_mcast_group6", vrrp_mcast_group6);
    o.opt("vrrp_garp_master_delay", vrrp_garp_master_delay);
    o.opt("vrrp_garp_master_repeat", vrrp_garp_master_repeat);
    o.opt("vrrp_garp_master_refresh", vrrp_garp_master_refresh);
    o.opt(
        "vrrp_garp_master_refresh_repeat",
        vrrp_garp_master_refresh_repeat,
    );
    o.opt("vrrp_garp_lower_prio_delay", vrrp_garp_lower_prio_delay);
    o.opt("vrrp_garp_lower_prio_repeat", vrrp_garp_lower_prio_repeat);
    o.opt_secs("vrrp_garp_interval", *vrrp_garp_interval);
    o.opt_secs("vrrp_gna_interval", *vrrp_gna_interval);
    o.flag("vrrp_min_garp", *vrrp_min_garp);
    o.opt("vrrp_down_timer_adverts", vrrp_down_timer_adverts);
    o.opt_bool("vrrp_lower_prio_no_advert", *vrrp_lower_prio_no_advert);
    o.opt_bool(
        "vrrp_higher_prio_send_advert",
        *vrrp_higher_prio_send_advert,
    );
    o.flag("vrrp_check_unicast_src", *vrrp_check_unicast_src);
    o.flag("vrrp_skip_check_adv_addr", *vrrp_skip_check_adv_addr);
    o.flag("vrrp_strict", *vrrp_strict);
    o.opt_secs("vrrp_startup_delay", *vrrp_startup_delay);
    o.flag("log_unknown_vrids", *log_unknown_vrids);
    o.opt_word("vmac_prefix", vmac_prefix);
    o.flag("lvs_flush", *lvs_flush);
    if *lvs_flush_on_stop_vs {
        o.line("lvs_flush_on_stop VS");
    } else {
        o.flag("lvs_flush_on_stop", *lvs_flush_on_stop);
    }
    if let Some((tcp, fin, udp)) = lvs_timeouts {
        let mut l = String::from("lvs_timeouts");
        for (k, v) in [("tcp", tcp), ("tcpfin", fin), ("udp", udp)] {
            if let Some(v) = v {
                let _ = write!(l, " {k} {v}");
            }
        }
        if l.len() > "lvs_timeouts".len() {
            o.line(l);
        }
    }
    if let Some(sd) = lvs_sync_daemon {
        let LvsSyncDaemon {
            interface,
            vrrp_instance,
            id,
            maxlen,
            port,
            ttl,
            group,
        } = sd;
        let mut l = format!("lvs_sync_daemon {}", word(interface));
        if let Some(v) = vrrp_instance {
            let _ = write!(l, " inst {}", word(v));
        }
        if let Some(id) = id {
            let _ = write!(l, " id {id}");
        }
        for (k, v) in [
            ("maxlen", maxlen.map(u32::from)),
            ("port", port.map(u32::from)),
            ("ttl", ttl.map(u32::from)),
        ] {
            if let Some(v) = v {
                let _ = write!(l, " {k} {v}");
            }
        }
        if let Some(g) = group {
            let _ = write!(l, " group {g}");
        }
        o.line(l);
    }
    for (kw, f) in [
        ("notify_fifo", notify_fifo),
        ("vrrp_notify_fifo", vrrp_notify_fifo),
        ("lvs_notify_fifo", lvs_notify_fifo),
    ] {
        if let Some(Fifo { path, script: s }) = f {
            if !path.is_empty() {
                o.line(format!("{kw} {}", word(path)));
            }
            o.opt_script(&format!("{kw}_script"), s);
        }
    }
    o.flag(
        "vrrp_notify_priority_changes",
        *vrrp_notify_priority_changes,
    );
    o.opt("max_auto_priority", max_auto_priority);
    o.flag("enable_dbus", *enable_dbus);
    o.flag("rs_init_notifies", *rs_init_notifies);
    o.flag("no_checker_emails", *no_checker_emails);
    if let Some(ic) = include_check {
        o.line(format!("include_check {}", words(ic)).trim_end());
    }
    o.raw("global_defs", raws);
    o.close();
}

fn dump_vrrp_script(o: &mut Out, s: &VrrpScript) {
    let VrrpScript {
        name,
        span: _,
        script: sc,
        interval,
        timeout,
        weight,
        weight_reverse,
        rise,
        fall,
        user,
        init_fail,
        removed: _,
    } = s;
    o.open(format!("vrrp_script {}", word(name)));
    if let Some(sc) = sc {
        // The user is its own keyword here.
        let bare = Script {
            user: None,
            group: None,
            ..sc.clone()
        };
        o.line(format!("script {}", script(&bare)));
    }
    o.line(format!("interval {}", interval / TIMER_HZ));
    if let Some(t) = timeout {
        o.line(format!("timeout {}", t / TIMER_HZ));
    }
    o.line(format!(
        "weight {weight}{}",
        if *weight_reverse { " reverse" } else { "" }
    ));
    o.line(format!("rise {rise}"));
    o.line(format!("fall {fall}"));
    if let Some((u, g)) = user {
        o.line(format!(
            "user {}{}",
            word(u),
            g.as_ref()
                .map(|g| format!(" {}", word(g)))
                .unwrap_or_default()
        ));
    }
    o.flag("init_fail", *init_fail);
    o.close();
}

fn track_refs(o: &mut Out, kw: &str, refs: &[TrackRef]) {
    o.values(
        kw,
        refs.iter().map(|t| {
            let TrackRef {
                name,
                weight,
                reverse,
                span: _,
            } = t;
            match weight {
                Some(w) => format!(
                    "{} weight {w}{}",
                    word(name),
                    if *reverse { " reverse" } else { " noreverse" }
                ),
                None => word(name),
            }
        }),
    );
}

fn address(a: &IpAddressLine) -> String {
    let IpAddressLine {
        addr,
        prefix,
        dev,
        brd,
        scope,
        label,
        peer,
        no_track,
        use_vmac,
        options,
        span: _,
    } = a;
    let mut l = format!("{addr}/{prefix}");
    if let Some(b) = brd {
        let _ = write!(l, " brd {b}");
    }
    if let Some(d) = dev {
        let _ = write!(l, " dev {}", word(d));
    }
    if let Some(s) = scope {
        let _ = write!(l, " scope {s}");
    }
    if let Some(lb) = label {
        let _ = write!(l, " label {}", word(lb));
    }
    if let Some(p) = peer {
        let _ = write!(l, " peer {p}");
    }
    for opt in options {
        let _ = write!(l, " {opt}");
    }
    if *no_track {
        l.push_str(" no_track");
    }
    if *use_vmac {
        l.push_str(" use_vmac");
    }
    l
}

fn dump_instance(o: &mut Out, v: &VrrpInstance) {
    let VrrpInstance {
        name,
        span: _,
        state,
        interface,
        interface_span: _,
        vrid,
        priority,
        advert_int,
        version,
        vips,
        evips,
        vroutes,
        vrules,
        no_virtual_ipaddress,
        auth,
        auth_span: _,
        auth_pass_only,
        nopreempt,
        preempt_delay,
        mcast_src_ip,
        unicast_src_ip,
        unicast_peers,
        unicast_configured,
        unicast_ttl,
        mcast_dst_ip,
        dont_track_primary,
        track_interfaces,
        track_scripts,
        track_files,
        track_processes,
        track_bfds,
        use_vmac,
        vmac_xmit_base,
        use_vmac_addr,
        accept,
        strict_mode,
        skip_check_adv_addr,
        notify_master,
        notify_backup,
        notify_fault,
        notify_stop,
        notify_deleted,
        notify,
        notify_master_rx_lower_pri,
        smtp_alert,
        notify_priority_changes,
        garp_master_delay,
        garp_master_repeat,
        garp_master_refresh,
        garp_master_refresh_repeat,
        garp_lower_prio_delay,
        garp_lower_prio_repeat,
        down_timer_adverts,
        lower_prio_no_advert,
        higher_prio_send_advert,
        promote_secondaries,
        track_src_ip,
        debug,
        family,
    } = v;
    o.open(format!("vrrp_instance {}", word(name)));
    match state {
        InitialState::Master => o.line("state MASTER"),
        InitialState::Backup => o.line("state BACKUP"),
        InitialState::Unset => {}
    }
    o.opt_word("interface", interface);
    o.opt("virtual_router_id", vrid);
    o.opt("priority", priority);
    o.opt_secs("advert_int", *advert_int);
    o.opt("version", version);
    if *family == Some(Family::V6) && vips.is_empty() && version.is_none() {
        o.line("native_ipv6");
    }
    o.opt("mcast_src_ip", mcast_src_ip);
    o.opt("unicast_src_ip", unicast_src_ip);
    o.opt("mcast_dst_ip", mcast_dst_ip);
    if *unicast_configured && unicast_peers.is_empty() && unicast_src_ip.is_none() {
        o.line("check_unicast_src");
    }
    o.values(
        "unicast_peer",
        unicast_peers.iter().map(|p| {
            let UnicastPeer {
                addr,
                min_ttl,
                max_ttl,
            } = p;
            let mut l = addr.to_string();
            if let Some(t) = min_ttl {
                let _ = write!(l, " min_ttl {t}");
            }
            if let Some(t) = max_ttl {
                let _ = write!(l, " max_ttl {t}");
            }
            l
        }),
    );
    o.opt("unicast_ttl", unicast_ttl);
    o.flag("dont_track_primary", *dont_track_primary);
    o.flag("track_src_ip", *track_src_ip);
    o.flag("nopreempt", *nopreempt);
    o.opt_secs("preempt_delay", *preempt_delay);
    if let Some(a) = accept {
        o.line(if *a { "accept" } else { "no_accept" });
    }
    o.opt_bool("strict_mode", *strict_mode);
    o.flag("skip_check_adv_addr", *skip_check_adv_addr);
    o.flag("promote_secondaries", *promote_secondaries);
    o.flag("no_virtual_ipaddress", *no_virtual_ipaddress);
    if let Some(c) = use_vmac {
        let VmacConfig { ifname, mac } = c;
        let mut l = String::from("use_vmac");
        if let Some(i) = ifname {
            let _ = write!(l, " {}", word(i));
        }
        if let Some(m) = mac {
            let _ = write!(l, " {m}");
        }
        o.line(l);
    }
    o.flag("vmac_xmit_base", *vmac_xmit_base);
    o.flag("use_vmac_addr", *use_vmac_addr);
    if auth.is_some() || auth_pass_only.is_some() {
        o.open("authentication");
        if let Some((t, _)) = auth {
            o.line(match t {
                AuthType::Pass => "auth_type PASS",
                AuthType::Ah => "auth_type AH",
            });
        }
        let pass = auth
            .as_ref()
            .and_then(|(_, p)| p.clone())
            .or_else(|| auth_pass_only.clone());
        o.opt_word("auth_pass", &pass);
        o.close();
    }
    o.values("virtual_ipaddress", vips.iter().map(address));
    o.values("virtual_ipaddress_excluded", evips.iter().map(address));
    o.values("virtual_routes", vroutes.iter().map(|r| words(&r.words)));
    o.values("virtual_rules", vrules.iter().map(|r| words(&r.words)));
    track_refs(o, "track_interface", track_interfaces);
    track_refs(o, "track_script", track_scripts);
    track_refs(o, "track_file", track_files);
    track_refs(o, "track_process", track_processes);
    track_refs(o, "track_bfd", track_bfds);
    o.opt_script("notify_master", notify_master);
    o.opt_script("notify_backup", notify_backup);
    o.opt_script("notify_fault", notify_fault);
    o.opt_script("notify_stop", notify_stop);
    match notify_deleted {
        Some(Some(s)) => o.line(format!("notify_deleted {}", script(s))),
        Some(None) => o.line("notify_deleted"),
        None => {}
    }
    o.opt_script("notify", notify);
    o.opt_script("notify_master_rx_lower_pri", notify_master_rx_lower_pri);
    o.opt_bool("smtp_alert", *smtp_alert);
    o.opt_bool("notify_priority_changes", *notify_priority_changes);
    o.opt("garp_master_delay", garp_master_delay);
    o.opt("garp_master_repeat", garp_master_repeat);
    o.opt("garp_master_refresh", garp_master_refresh);
    o.opt("garp_master_refresh_repeat", garp_master_refresh_repeat);
    o.opt("garp_lower_prio_delay", garp_lower_prio_delay);
    o.opt("garp_lower_prio_repeat", garp_lower_prio_repeat);
    o.opt("down_timer_adverts", down_timer_adverts);
    o.opt_bool("lower_prio_no_advert", *lower_prio_no_advert);
    o.opt_bool("higher_prio_send_advert", *higher_prio_send_advert);
    if *debug > 0 {
        o.line(format!("debug {debug}"));
    }
    o.close();
}

fn dump_sync_group(o: &mut Out, g: &SyncGroup) {
    let SyncGroup {
        name,
        span: _,
        members,
        track_interfaces,
        track_scripts,
        track_files,
        track_processes,
        track_bfds,
        notify_master,
        notify_backup,
        notify_fault,
        notify_stop,
        notify,
        smtp_alert,
        tracking_weight,
        notify_priority_changes,
    } = g;
    o.open(format!("vrrp_sync_group {}", word(name)));
    if let Some(m) = members {
        o.values("group", m.iter().map(|(n, _)| word(n)));
    }
    track_refs(o, "track_interface", track_interfaces);
    track_refs(o, "track_script", track_scripts);
    track_refs(o, "track_file", track_files);
    track_refs(o, "track_process", track_processes);
    track_refs(o, "track_bfd", track_bfds);
    o.opt_script("notify_master", notify_master);
    o.opt_script("notify_backup", notify_backup);
    o.opt_script("notify_fault", notify_fault);
    o.opt_script("notify_stop", notify_stop);
    o.opt_script("notify", notify);
    o.opt_bool("smtp_alert", *smtp_alert);
    o.flag("sync_group_tracking_weight", *tracking_weight);
    o.opt_bool("notify_priority_changes", *notify_priority_changes);
    o.close();
}

fn family_word(f: &Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

fn vsg_entry(e: &VsgEntry) -> String {
    match e {
        VsgEntry::Range { first, last, port } => {
            let addr = if first == last {
                first.to_string()
            } else {
                range(first, last)
            };
            if *port == 0 {
                addr
            } else {
                format!("{addr} {port}")
            }
        }
        VsgEntry::Fwmark { mark, family } => match family {
            Some(f) => format!("fwmark {mark} {}", family_word(f)),
            None => format!("fwmark {mark}"),
        },
    }
}

/// keepalived's range form: the last octet (IPv4) or hextet (IPv6).
fn range(first: &IpAddr, last: &IpAddr) -> String {
    match last {
        IpAddr::V4(l) => format!("{first}-{}", l.octets()[3]),
        IpAddr::V6(l) => format!("{first}-{:x}", l.segments()[7]),
    }
}

fn forwarding(f: &Forwarding) -> String {
    match f {
        Forwarding::Nat => "NAT".into(),
        Forwarding::Dr => "DR".into(),
        Forwarding::Tun { kind, port, csum } => {
            let mut l = String::from("TUN");
            if let Some(k) = kind {
                let _ = write!(l, " type {k}");
                if let Some(p) = port {
                    let _ = write!(l, " port {p}");
                }
            }
            if let Some(c) = csum {
                let _ = write!(l, " {c}");
            }
            l
        }
    }
}

fn dump_vs(o: &mut Out, vs: &VirtualServer) {
    let VirtualServer {
        addr,
        span: _,
        delay_loop,
        lb_algo,
        lb_kind,
        protocol,
        persistence_timeout,
        quorum,
        hysteresis,
        alpha,
        omega,
        inhibit_on_failure,
        ha_suspend,
        weight,
        smtp_alert,
        ip_family,
        validated: _,
        real_servers,
        opts: _,
    } = vs;
    let VsOpts {
        persistence_granularity,
        persistence_engine,
        sorry_server,
        sorry_server_inhibit,
        sorry_server_lvs_method,
        quorum_up,
        quorum_down,
        connect_timeout,
        retry,
        delay_before_retry,
        warmup,
        virtualhost,
        flags,
        snmp_name,
    } = vs.opts();
    let head = match addr {
        VsAddr::Ip { addr, port } => format!("virtual_server {addr} {port}"),
        VsAddr::Fwmark { mark } => format!("virtual_server fwmark {mark}"),
        VsAddr::Group { name } => format!("virtual_server group {}", word(name)),
    };
    o.open(head);
    o.line(format!("delay_loop {}", secs(*delay_loop)));
    o.opt_word("lb_algo", lb_algo);
    if let Some(f) = lb_kind {
        o.line(format!("lb_kind {}", forwarding(f)));
    }
    if let Some(p) = protocol {
        o.line(match p {
            Protocol::Tcp => "protocol TCP",
            Protocol::Udp => "protocol UDP",
            Protocol::Sctp => "protocol SCTP",
        });
    }
    o.opt("persistence_timeout", persistence_timeout);
    o.opt_word("persistence_granularity", persistence_granularity);
    o.opt_word("persistence_engine", persistence_engine);
    if let Some(f) = ip_family {
        o.line(format!("ip_family {}", family_word(f)));
    }
    for f in flags {
        o.line(word(f));
    }
    if let Some(ss) = sorry_server {
        o.line(format!("sorry_server {} {}", ss.addr, ss.port));
    }
    o.flag("sorry_server_inhibit", *sorry_server_inhibit);
    if let Some(f) = sorry_server_lvs_method {
        o.line(format!("sorry_server_lvs_method {}", forwarding(f)));
    }
    o.line(format!("quorum {quorum}"));
    o.line(format!("hysteresis {hysteresis}"));
    o.opt_bscript("quorum_up", quorum_up);
    o.opt_bscript("quorum_down", quorum_down);
    o.flag("alpha", *alpha);
    o.flag("omega", *omega);
    o.flag("inhibit_on_failure", *inhibit_on_failure);
    o.flag("ha_suspend", *ha_suspend);
    o.opt_secs("connect_timeout", *connect_timeout);
    o.opt("retry", retry);
    o.opt_secs("delay_before_retry", *delay_before_retry);
    o.opt_secs("warmup", *warmup);
    o.line(format!("weight {weight}"));
    o.opt_word("virtualhost", virtualhost);
    o.opt_bool("smtp_alert", *smtp_alert);
    o.opt_word("snmp_name", snmp_name);
    for rs in real_servers {
        dump_rs(o, rs, vs);
    }
    o.close();
}

/// A real server of `vs`, with the timing settings it inherits from `vs`
/// once validated (keepalived copies them into the real server then; the
/// model keeps them as written, see [`RealServer`]).
fn dump_rs(o: &mut Out, rs: &RealServer, vs: &VirtualServer) {
    let RealServer {
        addr,
        port,
        span: _,
        weight,
        lvs_method,
        inhibit_on_failure,
        alpha,
        smtp_alert,
        checkers,
        opts: _,
    } = rs;
    let RsOpts {
        notify_up,
        notify_down,
        uthreshold,
        lthreshold,
        retry,
        delay_before_retry,
        warmup,
        connect_timeout,
        delay_loop,
        virtualhost,
        snmp_name,
    } = rs.opts();
    let (retry, delay_before_retry, warmup, connect_timeout, delay_loop) = if vs.validated {
        (
            rs.retry_in(vs),
            rs.delay_before_retry_in(vs),
            rs.warmup_in(vs),
            Some(rs.connect_timeout_in(vs)),
            Some(rs.delay_loop_in(vs)),
        )
    } else {
        (
            *retry,
            *delay_before_retry,
            *warmup,
            *connect_timeout,
            *delay_loop,
        )
    };
    o.open(format!("real_server {addr} {port}"));
    o.opt("weight", weight);
    if let Some(f) = lvs_method {
        o.line(format!("lvs_method {}", forwarding(f)));
    }
    o.opt_bool("inhibit_on_failure", *inhibit_on_failure);
    o.opt_bscript("notify_up", notify_up);
    o.opt_bscript("notify_down", notify_down);
    o.opt("uthreshold", uthreshold);
    o.opt("lthreshold", lthreshold);
    o.opt_bool("alpha", *alpha);
    o.opt("retry", &retry);
    o.opt_secs("delay_before_retry", delay_before_retry);
    o.opt_secs("warmup", warmup);
    o.opt_secs("connect_timeout", connect_timeout);
    o.opt_secs("delay_loop", delay_loop);
    o.opt_bool("smtp_alert", *smtp_alert);
    o.opt_word("virtualhost", virtualhost);
    o.opt_word("snmp_name", snmp_name);
    for c in checkers.iter().filter(|c| !c.discarded) {
        dump_checker(o, c);
    }
    o.close();
}

fn conn(o: &mut Out, c: &ConnOpts) {
    let ConnOpts {
        connect_port,
        connect_timeout,
        ext: _,
    } = c;
    let ConnExt {
        connect_ip,
        bindto,
        bind_port,
        bind_if,
        fwmark,
    } = c.ext();
    o.opt("connect_ip", connect_ip);
    o.opt("connect_port", connect_port);
    o.opt("bindto", bindto);
    o.opt("bind_port", bind_port);
    o.opt_word("bind_if", bind_if);
    o.opt_secs("connect_timeout", *connect_timeout);
    o.opt("fwmark", fwmark);
}

fn dump_checker(o: &mut Out, c: &Checker) {
    let Checker {
        kind,
        span: _,
        conn: co,
        retry,
        delay_before_retry,
        warmup,
        delay_loop,
        alpha,
        log_all_failures,
        discarded: _,
        ext: _,
    } = c;
    let CheckerExt {
        virtualhost,
        user,
        urls,
        http_protocol,
        enable_sni,
        fast_recovery,
        misc_path,
        misc_timeout,
        misc_dynamic,
        helo_name,
        dns_type,
        dns_name,
        udp_payload,
        udp_require_reply,
        udp_min_reply_length,
        udp_max_reply_length,
        track_file,
        file_weight,
        bfd_name,
        hosts,
    } = c.ext();
    let name = match kind {
        CheckerKind::HttpGet => "HTTP_GET",
        CheckerKind::SslGet => "SSL_GET",
        CheckerKind::Tcp => "TCP_CHECK",
        CheckerKind::Misc => "MISC_CHECK",
        CheckerKind::Smtp => "SMTP_CHECK",
        CheckerKind::Dns => "DNS_CHECK",
        CheckerKind::Udp => "UDP_CHECK",
        CheckerKind::Ping => "PING_CHECK",
        CheckerKind::File => "FILE_CHECK",
        CheckerKind::Bfd => "BFD_CHECK",
    };
    o.open(name);
    match kind {
        CheckerKind::Misc => {
            if let Some(s) = misc_path {
                let bare = Script {
                    user: None,
                    group: None,
                    ..s.clone()
                };
                o.line(format!("misc_path {}", script(&bare)));
            }
            o.opt_secs("misc_timeout", *misc_timeout);
            o.flag("misc_dynamic", *misc_dynamic);
            if let Some((u, g)) = user {
                o.line(format!(
                    "user {}{}",
                    word(u),
                    g.as_ref()
                        .map(|g| format!(" {}", word(g)))
                        .unwrap_or_default()
                ));
            }
        }
        CheckerKind::File => {
            o.opt_word("track_file", track_file);
            if let Some((w, rev)) = file_weight {
                o.line(format!("weight {w}{}", if *rev { " reverse" } else { "" }));
            }
        }
        CheckerKind::Bfd => {
            o.opt_word("name", bfd_name);
            o.opt_bool("alpha", *alpha);
        }
        _ => conn(o, co),
    }
    if !matches!(kind, CheckerKind::File | CheckerKind::Bfd) {
        o.opt("retry", retry);
        o.opt_secs("delay_before_retry", *delay_before_retry);
        o.opt_secs("warmup", *warmup);
        o.opt_secs("delay_loop", *delay_loop);
        o.opt_bool("alpha", *alpha);
        o.opt_bool("log_all_failures", *log_all_failures);
    }
    match kind {
        CheckerKind::HttpGet | CheckerKind::SslGet => {
            o.opt_word("virtualhost", virtualhost);
            o.opt_word("http_protocol", http_protocol);
            o.flag("enable_sni", *enable_sni);
            o.flag("fast_recovery", *fast_recovery);
            for u in urls {
                dump_url(o, u);
            }
        }
        CheckerKind::Smtp => {
            o.opt_word("helo_name", helo_name);
            for h in hosts {
                o.open("host");
                conn(o, h);
                o.close();
            }
        }
        CheckerKind::Dns => {
            o.opt_word("type", dns_type);
            o.opt_word("name", dns_name);
        }
        CheckerKind::Udp => {
            o.opt_word("payload", udp_payload);
            match udp_require_reply.as_deref() {
                Some("") => o.line("require_reply"),
                Some(r) => o.line(format!("require_reply {}", word(r))),
                None => {}
            }
            o.opt("min_reply_length", udp_min_reply_length);
            o.opt("max_reply_length", udp_max_reply_length);
        }
        _ => {}
    }
    o.close();
}

fn dump_url(o: &mut Out, u: &Url) {
    let Url {
        path,
        digest,
        status_codes,
        virtualhost,
        regex,
        regex_no_match,
        regex_options,
        regex_min_offset,
        regex_max_offset,
        regex_stack,
        span: _,
    } = u;
    o.open("url");
    o.opt_word("path", path);
    o.opt_word("digest", digest);
    if !status_codes.is_empty() {
        let codes: Vec<String> = status_codes
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        o.line(format!("status_code {}", codes.join(" ")));
    }
    o.opt_word("virtualhost", virtualhost);
    o.opt_word("regex", regex);
    o.flag("regex_no_match", *regex_no_match);
    if !regex_options.is_empty() {
        o.line(format!("regex_options {}", words(regex_options)));
    }
    o.opt("regex_min_offset", regex_min_offset);
    o.opt("regex_max_offset", regex_max_offset);
    if let Some((a, b)) = regex_stack {
        o.line(format!("regex_stack {a} {b}"));
    }
    o.close();
}
