//! The checks keepalived's VRRP process makes once the whole configuration
//! is read (`vrrp_complete_init()`, `vrrp_complete_instance()`, sync groups,
//! VRID conflicts, script security), with keepalived's messages.

use super::ctx::Parser;
use super::script_check::{check_script_secure, sc};
use crate::config::diag::{Category, Span};
use crate::config::model::{AuthType, Family, InitialState, Script, TIMER_HZ, VrrpInstance};

const TIMER_CENTI_HZ: u64 = TIMER_HZ / 100;

fn general(p: &mut Parser, span: Option<Span>, msg: String) {
    p.err_span(span, Category::GeneralError, msg);
}

/// Security flags of a notify script; the script is dropped when keepalived
/// would not run it (`check_notify_script_secure()`).
fn notify_secure(p: &Parser, slot: &mut Option<Script>) -> u32 {
    let Some(s) = slot.as_mut() else { return 0 };
    let flags = check_script_secure(p, s);
    if flags & (sc::INHIBIT | sc::NOTFOUND) != 0 || flags & (sc::EXECUTABLE | sc::SYSTEM) == 0 {
        *slot = None;
    }
    flags
}

/// keepalived's `check_vrrp_script_security()`.
fn script_security(p: &mut Parser) {
    if p.cfg.vrrp_instances.is_empty() {
        return;
    }
    let mut flags = 0;
    let mut scripts = std::mem::take(&mut p.cfg.vrrp_scripts);
    let mut insecure = Vec::new();
    for vs in scripts.iter_mut() {
        let Some(script) = vs.script.as_mut() else {
            continue;
        };
        let f = check_script_secure(p, script);
        flags |= f;
        if f & sc::INHIBIT != 0 {
            insecure.push((
                vs.span.clone(),
                format!("Disabling track script {} due to insecure", vs.name),
            ));
            vs.removed = true;
        } else if f & sc::NOTFOUND != 0 {
            insecure.push((
                vs.span.clone(),
                format!(
                    "Disabling track script {} since not found/accessible",
                    vs.name
                ),
            ));
            vs.removed = true;
        } else if f & (sc::EXECUTABLE | sc::SYSTEM) == 0 {
            vs.removed = true;
        }
    }
    for (span, m) in insecure {
        general(p, span, m);
    }
    let mut instances = std::mem::take(&mut p.cfg.vrrp_instances);
    for v in instances.iter_mut() {
        for slot in [
            &mut v.notify_backup,
            &mut v.notify_master,
            &mut v.notify_fault,
            &mut v.notify_stop,
            &mut v.notify,
            &mut v.notify_master_rx_lower_pri,
        ] {
            flags |= notify_secure(p, slot);
        }
        if let Some(d) = v.notify_deleted.as_mut() {
            flags |= notify_secure(p, d);
        }
        v.track_scripts
            .retain(|t| scripts.iter().any(|s| s.name == t.name && !s.removed));
    }
    let mut groups = std::mem::take(&mut p.cfg.sync_groups);
    for g in groups.iter_mut() {
        for slot in [
            &mut g.notify_backup,
            &mut g.notify_master,
            &mut g.notify_fault,
            &mut g.notify_stop,
            &mut g.notify,
        ] {
            flags |= notify_secure(p, slot);
        }
        g.track_scripts
            .retain(|t| scripts.iter().any(|s| s.name == t.name && !s.removed));
    }
    let mut fifos = [
        p.cfg.global.notify_fifo.take(),
        p.cfg.global.vrrp_notify_fifo.take(),
    ];
    for f in fifos.iter_mut().flatten() {
        flags |= notify_secure(p, &mut f.script);
    }
    let [a, b] = fifos;
    p.cfg.global.notify_fifo = a;
    p.cfg.global.vrrp_notify_fifo = b;
    scripts.retain(|s| !s.removed);
    p.cfg.vrrp_scripts = scripts;
    p.cfg.vrrp_instances = instances;
    p.cfg.sync_groups = groups;
    if !p.cfg.global.script_security && flags & sc::ISSCRIPT != 0 {
        let extra = if flags & sc::INSECURE != 0 {
            " There are insecure scripts."
        } else {
            ""
        };
        let span = p.cfg.vrrp_instances.first().and_then(|v| v.span.clone());
        p.err_span(
            span,
            Category::SecurityError,
            format!("SECURITY VIOLATION - scripts are being executed but script_security not enabled.{extra}"),
        );
    }
}

/// Run keepalived's VRRP validation. Stops where keepalived stops.
pub fn validate(p: &mut Parser) {
    if let Some(span) = p.nonexistent_if.clone() {
        p.err_span(
            Some(span),
            Category::BadInterface,
            "Non-existent interface specified in configuration",
        );
        p.stopped = true;
        return;
    }
    script_security(p);
    // chk_min_cfg
    for i in 0..p.cfg.vrrp_instances.len() {
        let v = &p.cfg.vrrp_instances[i];
        let (name, span) = (v.name.clone(), v.span.clone());
        if v.vrid.is_none() {
            general(
                p,
                span,
                format!("({name}) the virtual router id must be set"),
            );
            p.stopped = true;
            return;
        }
        if v.interface.is_none() {
            general(p, span, format!("({name}) Unknown interface!"));
            p.stopped = true;
            return;
        }
    }
    sync_groups(p);
    let globals = p.cfg.global.clone();
    let mut instances = std::mem::take(&mut p.cfg.vrrp_instances);
    let mut ok = true;
    for v in instances.iter_mut() {
        let in_sync_no_weight = p
            .cfg
            .sync_groups
            .iter()
            .find(|g| {
                g.members
                    .as_ref()
                    .is_some_and(|m| m.iter().any(|(n, _)| *n == v.name))
            })
            .map(|g| !g.tracking_weight);
        if !complete_instance(p, v, &globals, in_sync_no_weight) {
            ok = false;
            break;
        }
    }
    p.cfg.vrrp_instances = instances;
    if ok {
        vrid_conflicts(p);
    } else {
        p.stopped = true;
    }
}

fn sync_groups(p: &mut Parser) {
    let mut groups = std::mem::take(&mut p.cfg.sync_groups);
    let mut kept = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for mut g in groups.drain(..) {
        let Some(members) = g.members.clone() else {
            general(
                p,
                g.span.clone(),
                format!("Sync group {} has no virtual router(s). removing", g.name),
            );
            continue;
        };
        let mut valid = Vec::new();
        for (m, span) in members {
            if !p.cfg.vrrp_instances.iter().any(|v| v.name == m) {
                general(
                    p,
                    Some(span),
                    format!(
                        "Virtual router {m} specified in sync group {} doesn't exist - ignoring",
                        g.name
                    ),
                );
                continue;
            }
            if taken.contains(&m) {
                general(
                    p,
                    Some(span),
                    format!(
                        "Virtual router {m} cannot exist in more than one sync group; ignoring {}",
                        g.name
                    ),
                );
                continue;
            }
            taken.push(m.clone());
            valid.push((m, span));
        }
        if valid.is_empty() {
            general(
                p,
                g.span.clone(),
                format!(
                    "Sync group {}, no matching virtual router found in group declaration - removing",
                    g.name
                ),
            );
            continue;
        }
        if valid.len() == 1 {
            general(
                p,
                g.span.clone(),
                format!(
                    "Sync group {} has only 1 virtual router(s) - this probably isn't what you want",
                    g.name
                ),
            );
        }
        g.members = Some(valid);
        kept.push(g);
    }
    p.cfg.sync_groups = kept;
}

/// keepalived's `vrrp_complete_instance()` (the configuration checks).
fn complete_instance(
    p: &mut Parser,
    v: &mut VrrpInstance,
    g: &crate::config::model::GlobalDefs,
    sync_no_weight: Option<bool>,
) -> bool {
    let name = v.name.clone();
    let span = v.span.clone();
    let strict = v.strict_mode.unwrap_or(g.vrrp_strict);
    if v.family == Some(Family::V6) {
        if v.version == Some(2) && strict {
            general(
                p,
                span.clone(),
                format!("({name}) cannot use IPv6 with VRRP version 2; setting version 3"),
            );
            v.version = Some(3);
        } else if v.version.is_none() {
            v.version = Some(3);
        }
    }
    let family = *v.family.get_or_insert(Family::V4);
    let version = *v.version.get_or_insert(if family == Family::V6 {
        3
    } else {
        g.vrrp_version.unwrap_or(2)
    });
    if v.vips.is_empty() && (version == 3 || strict) {
        general(
            p,
            span.clone(),
            format!("({name}) No VIP specified; at least one is required"),
        );
        return false;
    }
    let priority = *v
        .priority
        .get_or_insert(if v.state == InitialState::Master {
            255
        } else {
            100
        });
    if v.state == InitialState::Unset {
        v.state = if priority == 255 {
            InitialState::Master
        } else {
            InitialState::Backup
        };
    } else if strict && ((v.state == InitialState::Master) != (priority == 255)) {
        general(
            p,
            span.clone(),
            format!("({name}) State MASTER must match being address owner"),
        );
        v.state = if priority == 255 {
            InitialState::Master
        } else {
            InitialState::Backup
        };
    }
    let auth_span = v.auth_span.clone().or(span.clone());
    if let Some((t, pass)) = v.auth.clone() {
        if strict {
            general(
                p,
                auth_span,
                format!("({name}) Strict mode does not support authentication. Ignoring."),
            );
            v.auth = None;
        } else if version == 3 {
            general(
                p,
                auth_span,
                format!("({name}) VRRP version 3 does not support authentication. Ignoring."),
            );
            v.auth = None;
        } else if pass.as_deref().unwrap_or("").is_empty() && v.auth_pass_only.is_none() {
            general(
                p,
                auth_span,
                format!("({name}) Authentication specified but no password given. Ignoring"),
            );
            v.auth = None;
        } else if family == Family::V6 && t == AuthType::Ah {
            general(
                p,
                auth_span,
                format!("({name}) Cannot use AH authentication with IPv6. ignoring"),
            );
            v.auth = None;
        } else if t == AuthType::Ah && v.state == InitialState::Master && priority != 255 {
            general(
                p,
                auth_span,
                format!(
                    "({name}) Initial state master is incompatible with AH authentication - clearing"
                ),
            );
            v.state = InitialState::Backup;
        }
    }
    let unicast = v.unicast_configured && !v.unicast_peers.is_empty();
    if strict && unicast && v.interface.is_some() {
        general(
            p,
            span.clone(),
            format!("({name}) Unicast peers are not supported in strict mode"),
        );
        return false;
    }
    if v.unicast_configured && v.unicast_peers.is_empty() {
        p.err_span(
            span.clone(),
            Category::Deprecated,
            format!("({name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration."),
        );
    }
    if strict && v.use_vmac.as_ref().is_some_and(|c| c.mac.is_some()) {
        general(
            p,
            span.clone(),
            format!("({name}): cannot specify MAC address with strict mode - clearing"),
        );
        if let Some(c) = v.use_vmac.as_mut() {
            c.mac = None;
        }
    }
    if family == Family::V6 && !unicast {
        if let Some(first) = v.vips.first() {
            let ll =
                matches!(first.addr, std::net::IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80);
            if !ll {
                if strict {
                    general(
                        p,
                        span.clone(),
                        format!("({name}) the first IPv6 VIP address must be link local"),
                    );
                } else {
                    p.info(
                        span.clone(),
                        format!("({name}) the first IPv6 VIP address should be link local"),
                    );
                }
            }
        }
    }
    // VIPs per packet: (MTU 1500 - headers) / address size, at most 255.
    let max_addr = if family == Family::V4 {
        let mut hdr = 14 + 20 + 8;
        if version == 2 {
            hdr += 8;
            if matches!(v.auth, Some((AuthType::Ah, _))) {
                hdr += 24;
            }
        }
        ((1500 - hdr) / 4).min(255)
    } else {
        // (1500 - headers) / 16 is 89: below the 255 the count field allows.
        (1500 - (14 + 40 + 8)) / 16
    };
    if v.vips.len() > max_addr {
        general(
            p,
            span.clone(),
            format!(
                "({name}) Number of VIPs ({}) exceeds maximum/space available in packet (max {max_addr} addresses) - excess moved to eVIPs",
                v.vips.len()
            ),
        );
        let extra = v.vips.split_off(max_addr);
        v.evips.extend(extra);
    }
    if priority == 255 && v.nopreempt {
        general(
            p,
            span.clone(),
            format!("({name}) nopreempt is incompatible with priority 255. resetting nopreempt"),
        );
        v.nopreempt = false;
    }
    if v.state == InitialState::Master {
        if v.nopreempt {
            general(
                p,
                span.clone(),
                format!(
                    "({name}) Warning - nopreempt will not work with initial state MASTER - clearing"
                ),
            );
            v.nopreempt = false;
        }
        if v.preempt_delay.is_some_and(|d| d > 0) {
            general(
                p,
                span.clone(),
                format!(
                    "({name}) Warning - preempt delay will not work with initial state MASTER - clearing"
                ),
            );
            v.preempt_delay = None;
        }
    }
    if v.preempt_delay.is_some_and(|d| d > 0) {
        if strict {
            general(
                p,
                span.clone(),
                format!("({name}) preempt_delay is incompatible with strict mode - resetting"),
            );
            v.preempt_delay = None;
        }
        if v.nopreempt {
            general(
                p,
                span.clone(),
                format!("({name}) preempt_delay is incompatible with nopreempt mode - resetting"),
            );
            v.preempt_delay = None;
        }
    }
    if v.down_timer_adverts.is_some_and(|d| d != 3) && strict {
        general(
            p,
            span.clone(),
            format!("({name}) down_timer_adverts is incompatible with strict mode - resetting"),
        );
        v.down_timer_adverts = Some(3);
    }
    let accept = *v
        .accept
        .get_or_insert(if priority == 255 { true } else { !strict });
    if accept && priority != 255 && strict && version == 2 {
        general(
            p,
            span.clone(),
            format!(
                "({name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting"
            ),
        );
        v.accept = Some(false);
    }
    if unicast && v.mcast_dst_ip.is_some() {
        general(
            p,
            span.clone(),
            format!("({name}) multicast destination specified with unicast - ignoring"),
        );
        v.mcast_dst_ip = None;
    }
    if strict && v.garp_lower_prio_repeat.is_some_and(|r| r != 0) {
        general(
            p,
            span.clone(),
            format!("({name}) Strict mode requires no repeat garps. resetting"),
        );
        v.garp_lower_prio_repeat = Some(0);
    }
    if strict && v.garp_lower_prio_delay.is_some_and(|r| r != 0) {
        general(
            p,
            span.clone(),
            format!("({name}) Strict mode requires no repeat garp delay. resetting"),
        );
        v.garp_lower_prio_delay = Some(0);
    }
    if strict && v.lower_prio_no_advert == Some(false) {
        general(
            p,
            span.clone(),
            format!("({name}) Strict mode requires no lower priority advert. resetting"),
        );
        v.lower_prio_no_advert = Some(true);
    }
    if strict && v.higher_prio_send_advert == Some(true) {
        general(
            p,
            span.clone(),
            format!("({name}) strict mode requires higher_prio_send_advert to be clear. resetting"),
        );
        v.higher_prio_send_advert = Some(false);
    }
    let adv = *v.advert_int.get_or_insert(TIMER_HZ);
    if version == 2 {
        if adv >= 256 * TIMER_HZ {
            general(
                p,
                span.clone(),
                format!(
                    "({name}) VRRPv2 advertisement interval {:.2}s is out of range. Must be less than 256s. Setting to 255s",
                    adv as f64 / 1e6
                ),
            );
            v.advert_int = Some(255 * TIMER_HZ);
        } else if adv % TIMER_HZ != 0 {
            general(
                p,
                span.clone(),
                format!(
                    "({name}) VRRPv2 advertisement interval {:.6}s must be an integer. rounding",
                    adv as f64 / 1e6
                ),
            );
            let mut r = adv + TIMER_HZ / 2;
            r -= r % TIMER_HZ;
            v.advert_int = Some(if r == 0 { TIMER_HZ } else { r });
        }
    } else if adv >= 4096 * TIMER_CENTI_HZ {
        general(
            p,
            span.clone(),
            format!(
                "({name}) VRRPv3 advertisement interval {:.2}s is out of range. Must be less than 40.96s. Setting to 40.95s",
                adv as f64 / 1e6
            ),
        );
        v.advert_int = Some(4095 * TIMER_CENTI_HZ);
    } else if adv % TIMER_CENTI_HZ != 0 {
        general(
            p,
            span.clone(),
            format!(
                "({name}) VRRPv3 advertisement interval {:.6}s must be in units of 10ms - rounding",
                adv as f64 / 1e6
            ),
        );
        let mut r = adv + TIMER_CENTI_HZ / 2;
        r -= r % TIMER_CENTI_HZ;
        v.advert_int = Some(if r == 0 { TIMER_CENTI_HZ } else { r });
    }
    if v.use_vmac.is_some() && strict && v.vmac_xmit_base {
        general(
            p,
            span.clone(),
            format!("({name}) xmit_base is incompatible with strict mode - resetting"),
        );
        v.vmac_xmit_base = false;
    }
    if v.use_vmac.is_some() && v.promote_secondaries {
        general(
            p,
            span.clone(),
            format!("({name}) promote_secondaries is automatically set for vmacs - ignoring"),
        );
        v.promote_secondaries = false;
    }
    if let Some(ifname) = v.interface.clone() {
        let own: Vec<_> = v
            .track_interfaces
            .iter()
            .filter(|t| t.name == ifname)
            .map(|t| t.span.clone())
            .collect();
        for s in own {
            general(
                p,
                Some(s),
                format!("({name}) Ignoring track_interface {ifname} since own interface"),
            );
        }
        v.track_interfaces.retain(|t| t.name != ifname);
    }
    if v.vmac_xmit_base && v.use_vmac.is_none() {
        general(
            p,
            span.clone(),
            format!("({name}) vmac_xmit_base is only valid with a vmac"),
        );
        v.vmac_xmit_base = false;
    }
    if v.vips.is_empty() {
        if version == 3 || family == Family::V6 || strict {
            general(
                p,
                span.clone(),
                format!("({name}) No VIP specified; at least one is required"),
            );
            return false;
        }
        p.err_span(
            span.clone(),
            Category::Warning,
            format!("({name}) No VIP specified; at least one is sensible"),
        );
    }
    if sync_no_weight.is_some() || priority == 255 {
        let sync = sync_no_weight == Some(true);
        let why = if sync { "SYNC group" } else { "address owner" };
        let why2 = if sync { "SYNC group" } else { "address_owner" };
        let mut msgs = Vec::new();
        for t in v.track_interfaces.iter_mut() {
            if t.weight.unwrap_or(0) != 0 {
                let w = if sync { "weight " } else { "" };
                msgs.push((
                    t.span.clone(),
                    format!(
                        "({name}) ignoring {} tracked interface {w}due to {why}",
                        t.name
                    ),
                ));
                t.weight = Some(0);
            }
        }
        if !sync {
            v.track_interfaces.retain(|t| t.weight.unwrap_or(0) == 0);
        }
        for t in v.track_scripts.iter_mut() {
            if t.weight.unwrap_or(0) != 0 {
                msgs.push((
                    t.span.clone(),
                    format!(
                        "({name}) ignoring tracked script {} with weights due to {why2}",
                        t.name
                    ),
                ));
                t.weight = Some(0);
            }
        }
        for (s, m) in msgs {
            general(p, Some(s), m);
        }
    }
    true
}

/// keepalived's `check_vrid_conflicts()` for multicast instances.
fn vrid_conflicts(p: &mut Parser) {
    let n = p.cfg.vrrp_instances.len();
    let mut msgs = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (&p.cfg.vrrp_instances[i], &p.cfg.vrrp_instances[j]);
            if a.family != b.family || a.vrid != b.vrid {
                continue;
            }
            let ua = a.unicast_configured && !a.unicast_peers.is_empty();
            let ub = b.unicast_configured && !b.unicast_peers.is_empty();
            if ua != ub {
                continue;
            }
            if ua {
                let same_src = a.unicast_src_ip.is_some() && a.unicast_src_ip == b.unicast_src_ip;
                let same_if = a.interface == b.interface;
                if same_src && same_if {
                    msgs.push((
                        b.span.clone(),
                        format!(
                            "({}) duplicate VRID conflict with {} VRID {}",
                            a.name,
                            b.name,
                            a.vrid.unwrap_or(0)
                        ),
                    ));
                }
                continue;
            }
            let ifa = a.interface.clone().unwrap_or_default();
            if ifa != b.interface.clone().unwrap_or_default() {
                continue;
            }
            if a.mcast_dst_ip != b.mcast_dst_ip {
                continue;
            }
            let fam = if a.family == Some(Family::V6) { 6 } else { 4 };
            msgs.push((
                b.span.clone(),
                format!(
                    "{} and {} both use VRID {} with IPv{fam} on interface {ifa}",
                    a.name,
                    b.name,
                    a.vrid.unwrap_or(0)
                ),
            ));
        }
    }
    if !msgs.is_empty() {
        // keepalived refuses to run conflicting instances.
        p.stopped = true;
    }
    for (s, m) in msgs {
        general(p, s, m);
    }
}
