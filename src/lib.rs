//! keepalived in Rust: a drop-in replacement for keepalived 2.2.x.
//!
//! The crate is laid out as `../shared/docs/architecture.md` describes: pure cores
//! (`config`, later `proto`, `vrrp`, `check`) that never touch the OS, and drivers
//! plus `sys` at the edges.

pub mod alert;
pub mod alert_driver;
pub mod check;
pub mod checker_child;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod genhash;
pub mod log;
pub mod messages;
pub mod parent;
pub mod proto;
pub mod script;
pub mod sys;
pub mod vrrp;
pub mod vrrp_child;
