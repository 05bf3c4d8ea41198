//! Daemon plumbing shared by the parent and its children.

pub mod pidfile;
