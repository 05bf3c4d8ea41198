//! The data crossing the boundary between the VRRP core and its driver.

use std::fmt;
use std::net::IpAddr;

use crate::proto::vrrp::{Advert, Version};

use super::timers::{TIMER_CENTI_HZ, TIMER_HZ};

/// A point in time: microseconds since an arbitrary epoch chosen by the
/// driver (a monotonic clock in production, a counter in tests).
pub type Micros = u64;

/// keepalived's instance states (`VRRP_STATE_*`).
///
/// `Stop` is keepalived's `VRRP_STATE_STOP`, entered only at shutdown so
/// that the STOP notification is sent; nothing leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Init,
    Backup,
    Master,
    Fault,
    Stop,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Init => "INIT",
            State::Backup => "BACKUP",
            State::Master => "MASTER",
            State::Fault => "FAULT",
            State::Stop => "STOP",
        })
    }
}

/// A received advertisement that passed the receive checks
/// (`proto::vrrp::validate::check`): only what the state machine needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxAdvert {
    /// Source address of the IP packet (the sender's primary address).
    pub src: IpAddr,
    pub priority: u8,
    /// The advertised interval in µs (VRRPv2 whole seconds or VRRPv3
    /// centiseconds, converted).
    pub adver_int: u64,
}

impl RxAdvert {
    /// Takes the fields from a decoded advert; the VRRPv3 interval is masked
    /// to its 12 bits as keepalived does (`& 0x0FFF`).
    pub fn from_advert(advert: &Advert, src: IpAddr) -> RxAdvert {
        let adver_int = match advert.version {
            Version::V2 => u64::from(advert.adver_int) * TIMER_HZ,
            Version::V3 => u64::from(advert.adver_int & 0x0FFF) * TIMER_CENTI_HZ,
        };
        RxAdvert {
            src,
            priority: advert.priority,
            adver_int,
        }
    }
}

/// The kind of a tracked object; together with its name it identifies a
/// [`super::Tracker`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrackKind {
    /// `track_interface`, and the instance's own interface (tracked with
    /// weight 0 unless `dont_track_primary`).
    Interface,
    /// `track_script` (`vrrp_script`).
    Script,
    /// `track_file`: carries a value rather than up/down.
    File,
    /// `track_process`: up when the process quorum is met.
    Process,
    /// `track_bfd`.
    Bfd,
}

/// The observed status of a tracked object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackStatus {
    /// Interface up / script succeeded / process quorum met / BFD up.
    Up,
    /// Interface down / script failed / quorum lost / BFD down.
    Down,
    /// A `track_file`'s current integer value.
    Value(i64),
}

/// Something that happened to the instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Leave INIT (keepalived's `vrrp_init_state`): the driver sends it once
    /// tracked objects have their initial status.
    Start,
    /// A valid advertisement for our VRID.
    Advert(RxAdvert),
    /// A tracked object changed.
    Track {
        kind: TrackKind,
        name: String,
        status: TrackStatus,
    },
    /// Our source address for the equal-priority tie-break (the configured
    /// `unicast_src_ip`/`mcast_src_ip`, else the interface's primary address;
    /// `None` while the interface has none).
    SourceAddress(Option<IpAddr>),
    /// Daemon shutdown (SIGTERM).
    Stop,
    /// Sync group (`vrrp_sync_master`): every member wants MASTER, or the
    /// group already is MASTER; go now.
    SyncMaster,
    /// Sync group (`vrrp_sync_backup`): another member went to BACKUP; a
    /// master steps down (without a priority-0 advert), a member held in
    /// FAULT by the group leaves it.
    SyncBackup,
    /// Sync group (`vrrp_sync_fault`): another member is in FAULT.
    SyncFault,
}

/// What the notify scripts / FIFO are told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotifyState {
    Master,
    Backup,
    Fault,
    Stop,
}

/// Why a state change happened: every [`Action::StateChange`] carries one so
/// that logs, tests and conformance traces can tell transitions apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Startup: no tracker prevents it, so BACKUP (init).
    Startup,
    /// Startup with a down tracker or a tracking script not yet run.
    StartupFault,
    /// The Master_Down timer expired (no advert from a master), including
    /// the 1 µs timer an address owner starts with and the shortened timer
    /// after a priority-0 advert.
    MasterDown,
    /// As master, an advert with a higher priority arrived.
    HigherPriority { from: IpAddr, priority: u8 },
    /// As master, an advert with our priority from a higher address arrived.
    HigherAddress { from: IpAddr, priority: u8 },
    /// A weight-0 tracker failed.
    TrackerFault,
    /// The last failing weight-0 tracker recovered.
    TrackerRecovered,
    /// Daemon shutdown.
    Shutdown,
    /// Another member of the sync group moved (`VRRP_Group(G) Syncing
    /// instances to … state`).
    SyncGroup,
}

/// Why, in words: the driver logs it (with `-D`) after keepalived's own
/// "Entering … STATE" line, so an operator can tell what moved an
/// instance.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::messages as m;
        match self {
            Reason::Startup => f.write_str(m::reason_startup()),
            Reason::StartupFault => f.write_str(m::reason_startup_fault()),
            Reason::MasterDown => f.write_str(m::reason_master_down()),
            Reason::HigherPriority { from, priority } => {
                f.write_str(&m::reason_higher_priority(from, *priority))
            }
            Reason::HigherAddress { from, priority } => {
                f.write_str(&m::reason_higher_address(from, *priority))
            }
            Reason::TrackerFault => f.write_str(m::reason_tracker_fault()),
            Reason::TrackerRecovered => f.write_str(m::reason_tracker_recovered()),
            Reason::Shutdown => f.write_str(m::reason_shutdown()),
            Reason::SyncGroup => f.write_str(m::reason_sync_group()),
        }
    }
}

/// An instruction to the driver. Executed in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send one advertisement with this priority (to the group, or to every
    /// unicast peer).
    SendAdvert { priority: u8 },
    /// Send `repeat` rounds of gratuitous ARPs / unsolicited NAs for every
    /// VIP and eVIP (keepalived's `vrrp_send_link_update`); the driver spaces
    /// them by `vrrp_garp_interval`.
    SendGarp { repeat: u32 },
    /// Install the VIPs, eVIPs, virtual routes and rules (and the accept-mode
    /// firewall state).
    AddVips,
    /// Remove them, in keepalived's reverse order: rules, routes, then the
    /// addresses.
    RemoveVips,
    /// Run the notify scripts / write the FIFO for a state.
    Notify { state: NotifyState },
    /// `notify_master_rx_lower_pri` / FIFO `MASTER_RX_LOWER_PRI`.
    NotifyMasterRxLowerPri,
    /// The effective priority changed and `notify_priority_changes` is set.
    NotifyPriority { priority: u8 },
    /// A log line in keepalived 2.2.7's wording. `detail` lines are logged
    /// only with `-D` (keepalived's `LOG_DETAIL_BIT`).
    Log { detail: bool, message: String },
    /// A sync-group member's Master_Down timer expired but it may only go
    /// MASTER with its whole group (`vrrp_sync_can_goto_master`): the
    /// driver's group coordinator answers with [`Input::SyncMaster`] once
    /// every member wants it. The member stays BACKUP meanwhile.
    WantMaster,
    /// The instance changed state.
    StateChange {
        from: State,
        to: State,
        reason: Reason,
    },
}
