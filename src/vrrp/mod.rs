//! The VRRP protocol core: one pure state machine per `vrrp_instance`,
//! behaving as keepalived 2.2.7's `vrrp.c` / `vrrp_scheduler.c` do.
//!
//! Sans-IO, quinn-proto style (see `architecture.md`, "Sans-IO protocol
//! cores"): the driver feeds [`Input`]s with the current time, executes the
//! returned [`Action`]s, and calls [`Instance::handle_timeout`] when
//! [`Instance::poll_timeout`] says so. Time is a plain `u64` of microseconds
//! since an arbitrary epoch ([`Micros`]) so that tests run on a virtual
//! clock; keepalived itself keeps every VRRP timer in µs.
//!
//! Nothing here touches sockets, netlink, processes or the clock.
//!
//! - [`action`]: the boundary types ([`Input`], [`Action`], [`State`], …);
//! - [`timers`]: Skew_Time and Master_Down_Interval (RFC 3768/5798 §6.1);
//! - [`settings`]: the effective per-instance parameters, built from the
//!   configuration model with keepalived's defaults;
//! - [`instance`]: the state machine.

pub mod action;
pub mod addr;
pub mod instance;
pub mod lvs_sync;
pub mod notify;
pub mod route;
pub mod rule;
pub mod settings;
pub mod sync_group;
pub mod timers;
pub mod track_file;
pub mod track_process;
pub mod track_script;

pub use action::{
    Action, Input, Micros, NotifyState, Reason, RxAdvert, State, TrackKind, TrackStatus,
};
pub use instance::Instance;
pub use settings::{Settings, Tracker};
