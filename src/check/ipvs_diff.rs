//! Desired-vs-observed IPVS table diff.
//!
//! The checker decides which services and real servers should be in IPVS;
//! this module turns that into the ordered kernel operations. Anything in the
//! kernel we did not create (another keepalived, an admin's `ipvsadm`) is
//! left alone: we only edit or delete entries recorded in [`Ours`]. Adding a
//! missing entry touches nothing existing, so desired entries are always
//! added.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::proto::ipvs::{Dest, SVC_F_HASHED, Service, ServiceId};

/// A destination's identity within its service.
pub type DestKey = (IpAddr, u16);

/// A table: services with their destinations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub services: BTreeMap<ServiceId, (Service, BTreeMap<DestKey, Dest>)>,
}

impl Table {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds (or replaces) a service and its destinations.
    pub fn insert(&mut self, svc: Service, dests: impl IntoIterator<Item = Dest>) {
        let d = dests.into_iter().map(|d| ((d.addr, d.port), d)).collect();
        self.services.insert(svc.id, (svc, d));
    }

    /// Adds another virtual server's entries as keepalived ends up with
    /// them when two `virtual_server` blocks stand for one service: the
    /// service keeps the settings it already has (the later block's
    /// creation fails, "Service already exists"), and gains the other's
    /// destinations it does not have yet (one already there stays as it
    /// is, the later one's addition failing the same way).
    pub fn merge(&mut self, other: Table) {
        for (id, entry) in other.services {
            self.merge_entry(id, entry);
        }
    }

    /// [`Table::merge`] for one service's entry.
    pub fn merge_entry(&mut self, id: ServiceId, (svc, dests): Entry) {
        let (_, mine) = self
            .services
            .entry(id)
            .or_insert_with(|| (svc, BTreeMap::new()));
        for (k, d) in dests {
            mine.entry(k).or_insert(d);
        }
    }
}

/// What we created, so that we never edit or delete anyone else's entries.
///
/// Destinations are kept per service in a small vector: a director has a
/// few real servers per service, and one set entry per destination cost
/// twice the memory (a megabyte at 10,000 real servers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ours {
    services: BTreeSet<ServiceId>,
    dests: BTreeMap<ServiceId, Vec<DestKey>>,
}

impl Ours {
    /// Updates the record after `op` succeeded in the kernel.
    pub fn record(&mut self, op: &IpvsOp) {
        match op {
            IpvsOp::AddService(s) => self.add_service(s.id),
            IpvsOp::DelService(id) => {
                self.services.remove(id);
                self.dests.remove(id);
            }
            IpvsOp::AddDest(id, d) => self.add_dest(*id, (d.addr, d.port)),
            IpvsOp::DelDest(id, key) => {
                if let Some(v) = self.dests.get_mut(id) {
                    v.retain(|k| k != key);
                    if v.is_empty() {
                        self.dests.remove(id);
                    }
                }
            }
            IpvsOp::EditService(_) | IpvsOp::EditDest(..) => {}
        }
    }

    /// Records service `id` as ours.
    pub fn add_service(&mut self, id: ServiceId) {
        self.services.insert(id);
    }

    /// Records destination `key` of service `id` as ours.
    pub fn add_dest(&mut self, id: ServiceId, key: DestKey) {
        let v = self.dests.entry(id).or_default();
        if !v.contains(&key) {
            v.push(key);
        }
    }

    /// Whether we created service `id`.
    pub fn has_service(&self, id: &ServiceId) -> bool {
        self.services.contains(id)
    }

    /// Whether we created destination `key` of service `id`.
    pub fn has_dest(&self, id: &ServiceId, key: &DestKey) -> bool {
        self.dests.get(id).is_some_and(|v| v.contains(key))
    }
}

/// One kernel operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpvsOp {
    AddService(Service),
    EditService(Service),
    AddDest(ServiceId, Dest),
    /// SET_DEST: weight, thresholds, forwarding or tunnel settings changed.
    EditDest(ServiceId, Dest),
    DelDest(ServiceId, DestKey),
    DelService(ServiceId),
}

impl IpvsOp {
    /// Execution order: additions first so a service never passes through an
    /// empty state while a real server is being replaced, deletions last.
    fn rank(&self) -> u8 {
        match self {
            IpvsOp::AddService(_) => 0,
            IpvsOp::EditService(_) => 1,
            IpvsOp::AddDest(..) => 2,
            IpvsOp::EditDest(..) => 3,
            IpvsOp::DelDest(..) => 4,
            IpvsOp::DelService(_) => 5,
        }
    }
}

/// Whether the settings SET_SERVICE controls differ. The kernel adds
/// `SVC_F_HASHED` to every service it holds, so that bit is ignored.
fn service_differs(want: &Service, have: &Service) -> bool {
    want.sched_name != have.sched_name
        || (want.flags & !SVC_F_HASHED) != (have.flags & !SVC_F_HASHED)
        || want.timeout != have.timeout
        || want.netmask != have.netmask
        || want.pe_name.as_deref().unwrap_or("") != have.pe_name.as_deref().unwrap_or("")
}

/// Whether the settings SET_DEST controls differ (counters and stats ignored;
/// tunnel settings only matter for tunnelled destinations).
fn dest_differs(want: &Dest, have: &Dest) -> bool {
    let tun = |d: &Dest| (d.tun_type, d.tun_port, d.tun_flags);
    want.weight != have.weight
        || want.fwd_method != have.fwd_method
        || want.u_thresh != have.u_thresh
        || want.l_thresh != have.l_thresh
        || (want.fwd_method == crate::proto::ipvs::FwdMethod::Tunnel && tun(want) != tun(have))
}

/// One service as a table holds it: its settings and its destinations.
pub type Entry = (Service, BTreeMap<DestKey, Dest>);

/// The operations that take service `id` from `have` (observed; `None`:
/// not in the kernel) to `want` (desired; `None`: not configured), touching
/// only what `ours` records (plus adding what is missing), in [`diff`]'s
/// order of kinds, then by destination. When `want` is `None` only whether
/// `have` is there matters (its destinations go with it), so a caller may
/// pass it without them.
///
/// This is [`diff`] for one service: the checker applies a service's
/// operations as it computes them, instead of holding every operation of a
/// 10,000-server table at once, and syncs only the services a change
/// concerns.
pub fn diff_service(
    id: &ServiceId,
    want: Option<&Entry>,
    have: Option<&Entry>,
    ours: &Ours,
) -> Vec<IpvsOp> {
    let mut ops = Vec::new();
    match (want, have) {
        (None, None) => {}
        (None, Some(_)) => {
            if ours.has_service(id) {
                ops.push(IpvsOp::DelService(*id));
            }
        }
        (Some((want, want_dests)), None) => {
            ops.push(IpvsOp::AddService(want.clone()));
            ops.extend(want_dests.values().map(|d| IpvsOp::AddDest(*id, d.clone())));
        }
        (Some((want, want_dests)), Some((have, have_dests))) => {
            if ours.has_service(id) && service_differs(want, have) {
                ops.push(IpvsOp::EditService(want.clone()));
            }
            for (key, d) in want_dests {
                match have_dests.get(key) {
                    None => ops.push(IpvsOp::AddDest(*id, d.clone())),
                    Some(h) if ours.has_dest(id, key) && dest_differs(d, h) => {
                        ops.push(IpvsOp::EditDest(*id, d.clone()))
                    }
                    Some(_) => {}
                }
            }
            for key in have_dests.keys() {
                if !want_dests.contains_key(key) && ours.has_dest(id, key) {
                    ops.push(IpvsOp::DelDest(*id, *key));
                }
            }
        }
    }
    // stable: keeps the destination order within each kind
    ops.sort_by_key(IpvsOp::rank);
    ops
}

/// The operations that take `observed` to `desired`, touching only what
/// `ours` records (plus adding what is missing). Ordered by kind (add
/// service, edit service, add dest, edit dest, delete dest, delete service),
/// then by service and destination, so the result is deterministic.
pub fn diff(desired: &Table, observed: &Table, ours: &Ours) -> Vec<IpvsOp> {
    let mut ops = Vec::new();
    for (id, want) in &desired.services {
        ops.extend(diff_service(
            id,
            Some(want),
            observed.services.get(id),
            ours,
        ));
    }
    for (id, have) in &observed.services {
        if !desired.services.contains_key(id) {
            ops.extend(diff_service(id, None, Some(have), ours));
        }
    }
    // stable: keeps the BTreeMap order within each kind
    ops.sort_by_key(IpvsOp::rank);
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::ipvs::{FwdMethod, IPPROTO_TCP, IPPROTO_UDP, SVC_F_PERSISTENT};

    fn id(last: u8, port: u16) -> ServiceId {
        ServiceId::Addr {
            protocol: IPPROTO_TCP,
            addr: IpAddr::from([192, 0, 2, last]),
            port,
        }
    }
    fn rs(last: u8, w: u32) -> Dest {
        Dest::new(IpAddr::from([198, 51, 100, last]), 80, FwdMethod::DRoute, w)
    }
    fn svc(i: ServiceId) -> Service {
        Service::new(i, "wrr")
    }
    /// Applies ops to a table the way the kernel would, recording ownership.
    fn apply(t: &mut Table, ours: &mut Ours, ops: &[IpvsOp]) {
        for op in ops {
            match op {
                IpvsOp::AddService(s) => {
                    t.services.insert(s.id, (s.clone(), BTreeMap::new()));
                }
                IpvsOp::EditService(s) => t.services.get_mut(&s.id).unwrap().0 = s.clone(),
                IpvsOp::AddDest(i, d) | IpvsOp::EditDest(i, d) => {
                    t.services
                        .get_mut(i)
                        .unwrap()
                        .1
                        .insert((d.addr, d.port), d.clone());
                }
                IpvsOp::DelDest(i, k) => {
                    t.services.get_mut(i).unwrap().1.remove(k);
                }
                IpvsOp::DelService(i) => {
                    t.services.remove(i);
                }
            }
            ours.record(op);
        }
    }

    #[test]
    fn empty_kernel_gets_everything_services_before_dests() {
        let mut want = Table::new();
        want.insert(svc(id(1, 80)), [rs(2, 1), rs(3, 2)]);
        want.insert(svc(id(1, 443)), [rs(2, 1)]);
        let ops = diff(&want, &Table::new(), &Ours::default());
        let kinds: Vec<u8> = ops.iter().map(IpvsOp::rank).collect();
        assert_eq!(kinds, [0, 0, 2, 2, 2]);
        assert_eq!(ops[0], IpvsOp::AddService(svc(id(1, 80))));
        assert_eq!(ops[2], IpvsOp::AddDest(id(1, 80), rs(2, 1)));
    }

    #[test]
    fn converges_and_then_is_quiet() {
        let mut want = Table::new();
        want.insert(svc(id(1, 80)), [rs(2, 1), rs(3, 2)]);
        let (mut kernel, mut ours) = (Table::new(), Ours::default());
        let ops = diff(&want, &kernel, &ours);
        apply(&mut kernel, &mut ours, &ops);
        assert_eq!(kernel, want);
        assert!(diff(&want, &kernel, &ours).is_empty());
        // real server 3 goes down (removed), 2 changes weight, 4 comes up
        want.insert(svc(id(1, 80)), [rs(2, 5), rs(4, 1)]);
        let ops = diff(&want, &kernel, &ours);
        assert_eq!(
            ops,
            vec![
                IpvsOp::AddDest(id(1, 80), rs(4, 1)),
                IpvsOp::EditDest(id(1, 80), rs(2, 5)),
                IpvsOp::DelDest(id(1, 80), (rs(3, 0).addr, 80)),
            ]
        );
        apply(&mut kernel, &mut ours, &ops);
        assert_eq!(kernel, want);
        // the whole service vanishes from the configuration
        let ops = diff(&Table::new(), &kernel, &ours);
        assert_eq!(ops, vec![IpvsOp::DelService(id(1, 80))]);
        apply(&mut kernel, &mut ours, &ops);
        assert!(kernel.services.is_empty() && ours == Ours::default());
    }

    #[test]
    fn foreign_entries_are_never_edited_or_deleted() {
        let mut kernel = Table::new();
        let mut foreign = svc(id(9, 80));
        foreign.sched_name = "rr".into();
        kernel.insert(foreign.clone(), [rs(7, 3)]);
        kernel.insert(svc(id(8, 80)), []);
        // we want the foreign service with other settings and another weight
        let mut want = Table::new();
        want.insert(svc(id(9, 80)), [rs(7, 1), rs(6, 1)]);
        let ops = diff(&want, &kernel, &Ours::default());
        // only the missing destination is added; nothing is edited or deleted
        assert_eq!(ops, vec![IpvsOp::AddDest(id(9, 80), rs(6, 1))]);
    }

    #[test]
    fn service_settings_changes_are_edits_hashed_bit_ignored() {
        let i = id(1, 80);
        let mut ours = Ours::default();
        ours.add_service(i);
        let mut have = svc(i);
        have.flags = SVC_F_HASHED;
        let mut kernel = Table::new();
        kernel.insert(have, []);
        let mut want = Table::new();
        want.insert(svc(i), []);
        assert!(diff(&want, &kernel, &ours).is_empty());
        let mut p = svc(i);
        p.flags = SVC_F_PERSISTENT;
        p.timeout = 300;
        want.insert(p.clone(), []);
        assert_eq!(diff(&want, &kernel, &ours), vec![IpvsOp::EditService(p)]);
    }

    #[test]
    fn tunnel_settings_matter_only_for_tunnels() {
        let i = ServiceId::Addr {
            protocol: IPPROTO_UDP,
            addr: IpAddr::from([192, 0, 2, 1]),
            port: 53,
        };
        let mut ours = Ours::default();
        ours.add_service(i);
        let mut dr = rs(2, 1);
        ours.add_dest(i, (dr.addr, dr.port));
        let mut kernel = Table::new();
        kernel.insert(svc(i), [dr.clone()]);
        dr.tun_port = 6080;
        let mut want = Table::new();
        want.insert(svc(i), [dr.clone()]);
        assert!(diff(&want, &kernel, &ours).is_empty());
        dr.fwd_method = FwdMethod::Tunnel;
        want.insert(svc(i), [dr.clone()]);
        assert_eq!(diff(&want, &kernel, &ours), vec![IpvsOp::EditDest(i, dr)]);
    }

    #[test]
    fn ours_records_what_succeeded_and_forgets_what_went() {
        let (i, j) = (id(1, 80), id(2, 80));
        let mut ours = Ours::default();
        ours.record(&IpvsOp::AddService(svc(i)));
        ours.record(&IpvsOp::AddDest(i, rs(2, 1)));
        ours.record(&IpvsOp::AddDest(i, rs(3, 1)));
        ours.record(&IpvsOp::AddDest(i, rs(3, 1)));
        // a destination of ours in a foreign service
        ours.record(&IpvsOp::AddDest(j, rs(2, 1)));
        let k = |d: Dest| (d.addr, d.port);
        assert!(ours.has_service(&i) && !ours.has_service(&j));
        assert!(ours.has_dest(&i, &k(rs(3, 1))) && ours.has_dest(&j, &k(rs(2, 1))));
        ours.record(&IpvsOp::DelDest(i, k(rs(3, 1))));
        assert!(!ours.has_dest(&i, &k(rs(3, 1))) && ours.has_dest(&i, &k(rs(2, 1))));
        ours.record(&IpvsOp::DelService(i));
        assert!(!ours.has_service(&i) && !ours.has_dest(&i, &k(rs(2, 1))));
        assert!(ours.has_dest(&j, &k(rs(2, 1))));
        ours.record(&IpvsOp::DelDest(j, k(rs(2, 1))));
        assert_eq!(ours, Ours::default());
    }

    /// The service an operation is about.
    fn op_service(op: &IpvsOp) -> ServiceId {
        match op {
            IpvsOp::AddService(s) | IpvsOp::EditService(s) => s.id,
            IpvsOp::AddDest(i, _)
            | IpvsOp::EditDest(i, _)
            | IpvsOp::DelDest(i, _)
            | IpvsOp::DelService(i) => *i,
        }
    }

    #[test]
    fn diff_service_is_the_full_diff_restricted_to_that_service() {
        // ours: services 1..=4 with their destinations; 5 is foreign
        let mut ours = Ours::default();
        let mut kernel = Table::new();
        for last in 1..=4 {
            ours.add_service(id(last, 80));
            for d in [rs(2, 1), rs(3, 1)] {
                ours.add_dest(id(last, 80), (d.addr, d.port));
            }
            kernel.insert(svc(id(last, 80)), [rs(2, 1), rs(3, 1)]);
        }
        kernel.insert(svc(id(5, 80)), [rs(2, 1)]);
        let mut want = Table::new();
        // 1 unchanged; 2 a weight changed, a server gone, one added
        want.insert(svc(id(1, 80)), [rs(2, 1), rs(3, 1)]);
        want.insert(svc(id(2, 80)), [rs(2, 4), rs(4, 1)]);
        // 3 new settings, no servers left
        let mut s3 = svc(id(3, 80));
        s3.sched_name = "rr".into();
        want.insert(s3, []);
        // 4 no longer configured; 5 foreign, left; 6 and 7 new
        want.insert(svc(id(6, 80)), [rs(2, 1)]);
        want.insert(svc(id(7, 443)), []);
        let full = diff(&want, &kernel, &ours);
        let ids: BTreeSet<ServiceId> = (want.services.keys())
            .chain(kernel.services.keys())
            .copied()
            .collect();
        let mut seen = 0;
        for i in &ids {
            let expect: Vec<IpvsOp> = (full.iter())
                .filter(|op| op_service(op) == *i)
                .cloned()
                .collect();
            let got = diff_service(i, want.services.get(i), kernel.services.get(i), &ours);
            assert_eq!(got, expect, "service {i}");
            seen += got.len();
        }
        assert_eq!(seen, full.len());
        // spot checks of what the full diff says, so the comparison is not
        // between two empty lists
        assert!(
            diff_service(
                &id(1, 80),
                want.services.get(&id(1, 80)),
                kernel.services.get(&id(1, 80)),
                &ours
            )
            .is_empty()
        );
        assert_eq!(
            diff_service(
                &id(2, 80),
                want.services.get(&id(2, 80)),
                kernel.services.get(&id(2, 80)),
                &ours
            ),
            vec![
                IpvsOp::AddDest(id(2, 80), rs(4, 1)),
                IpvsOp::EditDest(id(2, 80), rs(2, 4)),
                IpvsOp::DelDest(id(2, 80), (rs(3, 0).addr, 80)),
            ]
        );
        assert_eq!(
            diff_service(&id(6, 80), want.services.get(&id(6, 80)), None, &ours),
            vec![
                IpvsOp::AddService(svc(id(6, 80))),
                IpvsOp::AddDest(id(6, 80), rs(2, 1)),
            ]
        );
        // a removal needs only the service, not its destinations
        let bare = (svc(id(4, 80)), BTreeMap::new());
        assert_eq!(
            diff_service(&id(4, 80), None, Some(&bare), &ours),
            vec![IpvsOp::DelService(id(4, 80))]
        );
        assert!(diff_service(&id(5, 80), None, kernel.services.get(&id(5, 80)), &ours).is_empty());
        assert!(diff_service(&id(8, 80), None, None, &ours).is_empty());
        // applied service by service, the kernel ends where the full diff
        // takes it
        let (mut k1, mut o1) = (kernel.clone(), ours.clone());
        apply(&mut k1, &mut o1, &full);
        let (mut k2, mut o2) = (kernel.clone(), ours.clone());
        for i in &ids {
            let ops = diff_service(i, want.services.get(i), kernel.services.get(i), &ours);
            apply(&mut k2, &mut o2, &ops);
        }
        assert_eq!((k1, o1), (k2, o2));
    }
}
