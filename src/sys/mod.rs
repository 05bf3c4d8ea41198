//! Every OS edge lives here, behind small traits defined by the pure modules.

pub mod host;
pub mod spawn;
