//! Shared helpers for the root-only integration tests: a throw-away network
//! namespace with the interfaces keepalived configurations name, and running
//! a command inside it with a bounded wait.

#![allow(dead_code)] // each test binary uses a different subset

pub mod guest_mail;
pub mod lab;
pub mod netns;
pub mod pcap;
pub mod procs;
pub mod run;
pub mod vm;
