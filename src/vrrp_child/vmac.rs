//! `use_vmac`: a macvlan interface per instance carrying the RFC 5798
//! virtual router MAC (00:00:5e:00:01:VRID, or 00:00:5e:00:02:VRID for
//! IPv6), created when the VRRP child starts (on masters and backups
//! alike, as keepalived does) or when a reload adds the instance, and
//! removed when it stops or a reload drops it, if we created it.

use crate::config::model::{Config, Family};
use crate::sys::netlink::{Netlink, VmacRequest};

/// A VMAC interface of one instance.
#[derive(Clone, Debug)]
pub struct Vmac {
    pub instance: String,
    pub name: String,
    pub ifindex: u32,
    /// false when an existing matching interface was reused.
    pub created: bool,
}

/// Parses a configured VMAC address (`use_vmac` with `xx:xx:…`).
fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut out {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// The VMAC interface name an instance wants, if it has `use_vmac`.
fn wanted_name(inst: &crate::config::model::VrrpInstance) -> Option<String> {
    let (vc, vrid) = (inst.use_vmac.as_ref()?, inst.vrid?);
    inst.interface.as_ref()?;
    Some(vc.ifname.clone().unwrap_or_else(|| format!("vrrp.{vrid}")))
}

/// Creates the VMACs of every `use_vmac` instance; failures are logged and
/// the instance then runs on its base interface.
pub async fn setup(nl: &Netlink, cfg: &Config) -> Vec<Vmac> {
    setup_missing(nl, cfg, &[]).await
}

/// At reload: creates the VMACs the new configuration wants that `have`
/// does not hold yet (same instance, same interface name).
pub async fn setup_missing(nl: &Netlink, cfg: &Config, have: &[Vmac]) -> Vec<Vmac> {
    let mut out = Vec::new();
    for inst in &cfg.vrrp_instances {
        let (Some(vc), Some(base), Some(vrid), Some(name)) = (
            &inst.use_vmac,
            &inst.interface,
            inst.vrid,
            wanted_name(inst),
        ) else {
            continue;
        };
        if have
            .iter()
            .any(|v| v.instance == inst.name && v.name == name)
        {
            continue;
        }
        let Ok(Some(parent)) = nl.link_by_name(base).await else {
            continue;
        };
        let v6 = inst.family == Some(Family::V6);
        let mut req = VmacRequest::new(parent.index, &name, vrid, v6);
        req.mac = vc.mac.as_deref().and_then(parse_mac);
        req.ipv6_enabled = v6 || inst.evips.iter().any(|e| e.addr.is_ipv6());
        match nl.create_vmac(&req).await {
            Ok(o) => out.push(Vmac {
                instance: inst.name.clone(),
                name,
                ifindex: o.ifindex,
                created: o.created,
            }),
            Err(e) => tracing::error!(
                "{}",
                crate::messages::vmac_create_failed(&inst.name, &name, &e)
            ),
        }
    }
    out
}

/// At reload, after the old instances stopped: splits `have` into the
/// VMACs the new configuration still wants (returned) and the others,
/// which are deleted if we created them (keepalived's `clear_diff_vrrp`).
pub async fn drop_unwanted(nl: &Netlink, cfg: &Config, have: Vec<Vmac>) -> Vec<Vmac> {
    let (mut keep, mut gone): (Vec<Vmac>, Vec<Vmac>) = have.into_iter().partition(|v| {
        cfg.vrrp_instances
            .iter()
            .any(|i| i.name == v.instance && wanted_name(i).as_deref() == Some(v.name.as_str()))
    });
    // An interface a new instance took over (same name) stays, and is
    // still ours to delete at exit if we created it.
    gone.retain(|g| match keep.iter_mut().find(|k| k.name == g.name) {
        Some(k) => {
            k.created |= g.created;
            false
        }
        None => true,
    });
    teardown(nl, &gone).await;
    keep
}

/// Deletes the VMACs we created.
pub async fn teardown(nl: &Netlink, vmacs: &[Vmac]) {
    for v in vmacs.iter().filter(|v| v.created) {
        let _ = nl.delete_link(v.ifindex).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_a_configured_vmac() {
        assert_eq!(
            super::parse_mac("02:00:5e:00:01:33"),
            Some([2, 0, 0x5e, 0, 1, 0x33])
        );
        assert_eq!(super::parse_mac("02:00:5e"), None);
    }
}
