//! A blocking IPVS client over a generic-netlink socket.
//!
//! IPVS calls are rare (start-up, a real server going up or down, reload) and
//! small, so a synchronous socket with a receive timeout is enough; the
//! checker child may call it from `spawn_blocking`. The message bytes come
//! from the pure `proto::ipvs`; this file only sends, receives and maps
//! errors.

use std::net::IpAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, sockopt,
};
use nix::sys::time::TimeVal;
use thiserror::Error;

use crate::check::ipvs_diff::{IpvsOp, Table};
use crate::proto::genl::{self, DecodeError, Received};
use crate::proto::ipvs::{
    self, Dest, IPVS_GENL_NAME, IPVS_GENL_VERSION, Info, IpvsMessage, Service, ServiceId,
    SyncDaemon, Timeouts,
};

/// How long one request may wait for the kernel before it is an error.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// Big enough for any dump datagram (the kernel fills at most ~32 KiB).
const RECV_BUF: usize = 64 * 1024;

#[derive(Debug, Error)]
pub enum IpvsError {
    /// The kernel has no IPVS family (module absent and not loadable), the
    /// state keepalived reports as "Protocol not available".
    #[error("IPVS: Can't initialize ipvs: Protocol not available")]
    NotAvailable,
    #[error("IPVS: Can't initialize ipvs: Permission denied (you must be root)")]
    PermissionDenied,
    #[error("IPVS: Can't initialize ipvs: {0}")]
    Init(Errno),
    /// The kernel refused `op`: EEXIST (already there), ESRCH (no such
    /// service), ENOENT (no such destination, or unknown scheduler), EINVAL.
    #[error("IPVS: {op}: {}", .errno.desc())]
    Kernel { op: &'static str, errno: Errno },
    #[error("IPVS: {op}: socket error: {errno}")]
    Io { op: &'static str, errno: Errno },
    #[error("IPVS: {op}: no reply within {REPLY_TIMEOUT:?}")]
    Timeout { op: &'static str },
    #[error("IPVS: {op}: bad reply: {source}")]
    Decode {
        op: &'static str,
        #[source]
        source: DecodeError,
    },
}

impl IpvsError {
    /// The errno the kernel returned for a rejected command, if that is what
    /// this error is.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            IpvsError::Kernel { errno, .. } | IpvsError::Io { errno, .. } => Some(*errno),
            _ => None,
        }
    }
}

/// An open IPVS channel.
#[derive(Debug)]
pub struct IpvsClient {
    fd: OwnedFd,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
}

impl IpvsClient {
    /// Opens a generic-netlink socket and resolves the `IPVS` family (which
    /// makes the kernel autoload `ip_vs` when it can).
    pub fn open() -> Result<Self, IpvsError> {
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkGeneric,
        )
        .map_err(|e| match e {
            Errno::EPERM | Errno::EACCES => IpvsError::PermissionDenied,
            e => IpvsError::Init(e),
        })?;
        socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(IpvsError::Init)?;
        let tv = TimeVal::new(REPLY_TIMEOUT.as_secs() as _, 0);
        socket::setsockopt(&fd, sockopt::ReceiveTimeout, &tv).map_err(IpvsError::Init)?;
        let mut c = IpvsClient {
            fd,
            family: genl::GENL_ID_CTRL,
            seq: 0,
            buf: vec![0; RECV_BUF],
        };
        let (cmd, ver, attrs) = genl::getfamily_payload(IPVS_GENL_NAME);
        let replies = c
            .transact(
                "resolve family",
                genl::GENL_ID_CTRL,
                cmd,
                ver,
                &attrs,
                false,
            )
            .map_err(|e| match e.errno() {
                Some(Errno::ENOENT) => IpvsError::NotAvailable,
                Some(Errno::EPERM) => IpvsError::PermissionDenied,
                Some(e) => IpvsError::Init(e),
                None => e,
            })?;
        let payload = replies.first().ok_or(IpvsError::NotAvailable)?;
        c.family = genl::parse_family_id(payload).map_err(|source| IpvsError::Decode {
            op: "resolve family",
            source,
        })?;
        Ok(c)
    }

    /// The runtime id of the IPVS family (assigned at module load).
    pub fn family_id(&self) -> u16 {
        self.family
    }

    /// Sends one request and collects the payloads of its data replies,
    /// until the ACK (or DONE for a dump).
    fn transact(
        &mut self,
        op: &'static str,
        family: u16,
        cmd: u8,
        version: u8,
        attrs: &[u8],
        dump: bool,
    ) -> Result<Vec<Vec<u8>>, IpvsError> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut flags = genl::NLM_F_REQUEST | genl::NLM_F_ACK;
        if dump {
            flags |= genl::NLM_F_DUMP;
        }
        let msg = genl::genl_request(family, flags, seq, cmd, version, attrs);
        socket::send(self.fd.as_raw_fd(), &msg, MsgFlags::empty())
            .map_err(|errno| IpvsError::Io { op, errno })?;
        let mut out = Vec::new();
        loop {
            let n = match socket::recv(self.fd.as_raw_fd(), &mut self.buf, MsgFlags::empty()) {
                Ok(n) => n,
                Err(Errno::EAGAIN) => return Err(IpvsError::Timeout { op }),
                Err(Errno::EINTR) => continue,
                Err(errno) => return Err(IpvsError::Io { op, errno }),
            };
            let msgs = genl::parse_datagram(&self.buf[..n])
                .map_err(|source| IpvsError::Decode { op, source })?;
            for m in msgs {
                match m {
                    Received::Ack { seq: s } if s == seq => return Ok(out),
                    Received::Done { seq: s } if s == seq => return Ok(out),
                    Received::Error { seq: s, errno } if s == seq => {
                        return Err(IpvsError::Kernel {
                            op,
                            errno: Errno::from_raw(errno),
                        });
                    }
                    Received::Data {
                        seq: s, payload, ..
                    } if s == seq => {
                        out.push(payload.to_vec());
                        // a non-dump request answered with data gets its ACK next
                    }
                    _ => {} // a stale reply to an earlier, timed-out request
                }
            }
        }
    }

    fn ipvs(
        &mut self,
        op: &'static str,
        m: &IpvsMessage,
        dump: bool,
    ) -> Result<Vec<Vec<u8>>, IpvsError> {
        let family = self.family;
        self.transact(
            op,
            family,
            m.cmd.to_u8(),
            IPVS_GENL_VERSION,
            &m.attr_bytes(),
            dump,
        )
    }

    /// Version and connection-table size.
    pub fn info(&mut self) -> Result<Info, IpvsError> {
        let op = "get info";
        let r = self.ipvs(op, &ipvs::get_info(), false)?;
        let p = r.first().ok_or(IpvsError::Decode {
            op,
            source: DecodeError::Missing("GET_INFO reply"),
        })?;
        Info::parse(p).map_err(|source| IpvsError::Decode { op, source })
    }

    pub fn add_service(&mut self, s: &Service) -> Result<(), IpvsError> {
        self.ipvs("add service", &ipvs::new_service(s), false)
            .map(drop)
    }

    pub fn edit_service(&mut self, s: &Service) -> Result<(), IpvsError> {
        self.ipvs("edit service", &ipvs::set_service(s), false)
            .map(drop)
    }

    pub fn del_service(&mut self, id: &ServiceId) -> Result<(), IpvsError> {
        self.ipvs("delete service", &ipvs::del_service(id), false)
            .map(drop)
    }

    pub fn add_dest(&mut self, svc: &ServiceId, d: &Dest) -> Result<(), IpvsError> {
        self.ipvs("add destination", &ipvs::new_dest(svc, d), false)
            .map(drop)
    }

    pub fn edit_dest(&mut self, svc: &ServiceId, d: &Dest) -> Result<(), IpvsError> {
        self.ipvs("edit destination", &ipvs::set_dest(svc, d), false)
            .map(drop)
    }

    pub fn del_dest(&mut self, svc: &ServiceId, addr: IpAddr, port: u16) -> Result<(), IpvsError> {
        self.ipvs(
            "delete destination",
            &ipvs::del_dest(svc, addr, port),
            false,
        )
        .map(drop)
    }

    /// Removes every service (`ipvsadm -C`, keepalived's `lvs_flush`).
    pub fn flush(&mut self) -> Result<(), IpvsError> {
        self.ipvs("flush", &ipvs::flush(), false).map(drop)
    }

    /// Resets counters of one service or all.
    pub fn zero(&mut self, svc: Option<&ServiceId>) -> Result<(), IpvsError> {
        self.ipvs("zero", &ipvs::zero(svc), false).map(drop)
    }

    pub fn services(&mut self) -> Result<Vec<Service>, IpvsError> {
        let op = "list services";
        self.ipvs(op, &ipvs::get_services(), true)?
            .iter()
            .map(|p| {
                ipvs::parse_service_reply(p).map_err(|source| IpvsError::Decode { op, source })
            })
            .collect()
    }

    /// One service's settings, `None` when the kernel has no such service
    /// (it answers GET_SERVICE for an unknown identity with ESRCH). Lets the
    /// checker look at just the services a change concerns rather than dump
    /// the whole table.
    pub fn service(&mut self, id: &ServiceId) -> Result<Option<Service>, IpvsError> {
        let op = "get service";
        let r = match self.ipvs(op, &ipvs::get_service(id), false) {
            Ok(r) => r,
            Err(IpvsError::Kernel {
                errno: Errno::ESRCH | Errno::ENOENT,
                ..
            }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let p = r.first().ok_or(IpvsError::Decode {
            op,
            source: DecodeError::Missing("GET_SERVICE reply"),
        })?;
        ipvs::parse_service_reply(p)
            .map(Some)
            .map_err(|source| IpvsError::Decode { op, source })
    }

    pub fn dests(&mut self, svc: &ServiceId) -> Result<Vec<Dest>, IpvsError> {
        let op = "list destinations";
        let af = svc.af();
        self.ipvs(op, &ipvs::get_dests(svc), true)?
            .iter()
            .map(|p| {
                ipvs::parse_dest_reply(p, af).map_err(|source| IpvsError::Decode { op, source })
            })
            .collect()
    }

    /// The whole kernel table, for [`crate::check::ipvs_diff::diff`].
    pub fn table(&mut self) -> Result<Table, IpvsError> {
        let mut t = Table::new();
        for s in self.services()? {
            let d = self.dests(&s.id)?;
            t.insert(s, d);
        }
        Ok(t)
    }

    /// Executes one diff operation.
    pub fn apply(&mut self, op: &IpvsOp) -> Result<(), IpvsError> {
        match op {
            IpvsOp::AddService(s) => self.add_service(s),
            IpvsOp::EditService(s) => self.edit_service(s),
            IpvsOp::AddDest(id, d) => self.add_dest(id, d),
            IpvsOp::EditDest(id, d) => self.edit_dest(id, d),
            IpvsOp::DelDest(id, (addr, port)) => self.del_dest(id, *addr, *port),
            IpvsOp::DelService(id) => self.del_service(id),
        }
    }

    pub fn timeouts(&mut self) -> Result<Timeouts, IpvsError> {
        let op = "get timeouts";
        let r = self.ipvs(op, &ipvs::get_config(), false)?;
        let p = r.first().ok_or(IpvsError::Decode {
            op,
            source: DecodeError::Missing("GET_CONFIG reply"),
        })?;
        ipvs::parse_config_reply(p).map_err(|source| IpvsError::Decode { op, source })
    }

    /// Sets all three timeouts (0 leaves one unchanged in the kernel).
    pub fn set_timeouts(&mut self, t: &Timeouts) -> Result<(), IpvsError> {
        self.ipvs("set timeouts", &ipvs::set_config(t), false)
            .map(drop)
    }

    pub fn start_daemon(&mut self, d: &SyncDaemon) -> Result<(), IpvsError> {
        self.ipvs("start sync daemon", &ipvs::new_daemon(d), false)
            .map(drop)
    }

    pub fn stop_daemon(&mut self, state: u32, sync_id: u32) -> Result<(), IpvsError> {
        self.ipvs("stop sync daemon", &ipvs::del_daemon(state, sync_id), false)
            .map(drop)
    }
}
