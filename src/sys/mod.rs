//! Every OS edge lives here, behind small traits defined by the pure modules.

pub mod host;
pub mod netlink;
pub mod packet;
pub mod raw;
pub mod spawn;
