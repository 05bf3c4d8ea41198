//! The health checker's pure core: what the IPVS table should hold, and the
//! operations that take the kernel there. The checker child drives it; only
//! `sys::ipvs` talks to the kernel.

pub mod checker;
pub mod decision;
pub mod file_check;
pub mod ipvs_diff;
pub mod lvs_global;
pub mod reload_diff;
