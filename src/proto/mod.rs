//! Pure wire codecs: bytes in, structs out, and back.
//!
//! Nothing here opens a socket, reads a clock or spawns a task (see
//! `../shared/docs/architecture.md`, "Pure cores stay pure"): the VRRP process
//! driver hands received bytes plus the IP-level facts the kernel reported
//! (TTL/hop limit, addresses) to these functions, and sends the bytes they
//! build. That keeps every packet rule testable against captured fixtures
//! without root.

pub mod arp;
pub mod checksum;
pub mod genl;
pub mod icmp_echo;
pub mod ipvs;
pub mod ndisc;
pub mod vrrp;
