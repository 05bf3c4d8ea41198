//! Every OS edge lives here, behind small traits defined by the pure modules.

pub mod clock;
pub mod connect_set;
pub mod fifo;
pub mod file_watch;
pub mod host;
pub mod icmp;
pub mod ipvs;
pub mod local_addrs;
pub mod local_name;
pub mod malloc;
pub mod netlink;
pub mod packet;
pub mod process_name;
pub mod procs;
pub mod raw;
pub mod rlimit;
pub mod sd_notify;
pub mod signal;
pub mod smtp;
pub mod spawn;
pub mod syslog_socket;
