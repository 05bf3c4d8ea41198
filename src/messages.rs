//! Every log line's wording, in one table.
//!
//! Operators grep syslog for keepalived's exact texts ("Entering MASTER
//! STATE", "Removing service … from VS …"), so each text is written once,
//! here, next to the keepalived 2.2.7 wording it reproduces, and the tests
//! at the bottom compare them with the lines in
//! `../shared/docs/keepalived-reference.md` section i. Callers format with
//! these functions and log the result at the level keepalived uses:
//! `tracing::info!("{}", messages::startup_complete())`.
//!
//! Pure (no I/O): the VRRP and checker cores use it as well as the drivers.
//! Sections follow the process that logs; add new texts to their section.
//! A doc comment starting "Our own" marks a line keepalived does not have
//! (extensions and errors of this implementation); every other text is
//! keepalived's, and the tests pin each one to the reference wording
//! (section i, f.3 for bad adverts, g for checkers) or, where the reference
//! is silent, to keepalived 2.2.7's source. Configuration diagnostics of
//! `-t` are not here: they live with the parser (`src/config`).

// ---- parent (Keepalived) ---------------------------------------------------

/// The parent's last start-up line, once every child has started.
pub fn startup_complete() -> &'static str {
    "Startup complete"
}

/// The parent on SIGHUP, before re-reading the configuration.
pub fn parent_reloading() -> &'static str {
    "Reloading ..."
}

/// The parent on SIGTERM/SIGINT.
pub fn parent_stopping() -> &'static str {
    "Stopping"
}

/// The parent's first line. keepalived prints its build date where we say
/// "(rust)".
pub fn starting_keepalived(version: &str) -> String {
    format!("Starting Keepalived v{version} (rust)")
}

/// The parent's second line: every argument quoted.
pub fn command_line(argv: &[String]) -> String {
    format!("Command line: '{}'", argv.join("' '"))
}

/// The configuration file as read at start-up.
pub fn configuration_file(path: &str) -> String {
    format!("Configuration file {path}")
}

/// The main configuration file does not exist (exit 6 follows).
pub fn config_files_missing(path: &str) -> String {
    format!("Config files missing '{path}'.")
}

/// The version line the parent ends with, after "Stopped ".
pub fn version_line(version: &str) -> String {
    format!("Keepalived v{version} (rust)")
}

/// The parent's last line (`version_line` is [`version_line`]'s text).
pub fn stopped_keepalived(version_line: &str) -> String {
    format!("Stopped {version_line}")
}

/// Another daemon holds the pid file.
pub fn daemon_already_running() -> &'static str {
    "daemon is already running"
}

/// Our own (debug): why we think another daemon runs.
pub fn pid_alive(pid: impl std::fmt::Display, path: &str) -> String {
    format!("pid {pid} from {path} is alive")
}

/// Our own: the async runtime could not be built.
pub fn runtime_start_failed(e: &dyn std::fmt::Display) -> String {
    format!("cannot start the runtime: {e}")
}

/// No subsystem has configuration.
pub fn no_configuration_to_run() -> &'static str {
    "Warning - keepalived has no configuration to run"
}

/// A child was forked (`prog` is "VRRP" or "Healthcheck").
pub fn starting_child(prog: &str, pid: impl std::fmt::Display) -> String {
    format!("Starting {prog} child process, pid={pid}")
}

/// Our own: a child could not be started.
pub fn unable_to_start_child(prog: &str, e: &dyn std::fmt::Display) -> String {
    format!("Unable to start {prog} child process: {e}")
}

/// Our own: a child could not be restarted.
pub fn unable_to_restart_child(prog: &str, e: &dyn std::fmt::Display) -> String {
    format!("Unable to restart {prog} child process: {e}")
}

/// A child exited with status 1, 2 or 4 (`ident` is e.g. "Keepalived_vrrp").
pub fn permanent_error(ident: &str, what: &str) -> String {
    format!("{ident} exited with permanent error {what}. Terminating")
}

/// A child died and `-R` is in force.
pub fn child_died_exiting(prog: &str, pid: impl std::fmt::Display) -> String {
    format!("{prog} child process({pid}) died: Exiting")
}

/// A child died and is restarted.
pub fn child_died_respawning(prog: &str, pid: impl std::fmt::Display) -> String {
    format!("{prog} child process({pid}) died: Respawning")
}

/// How a child ended: its exit status.
pub fn child_exited_status(pid: impl std::fmt::Display, code: i32) -> String {
    format!("pid {pid} exited with status {code}")
}

/// How a child ended: the signal that killed it.
pub fn child_exited_signal(pid: impl std::fmt::Display, sig: i32, name: &str) -> String {
    format!("pid {pid} exited due to signal {sig} ({name})")
}

/// Our own: a child ended without status or signal.
pub fn child_exited(pid: impl std::fmt::Display) -> String {
    format!("pid {pid} exited")
}

/// Our own: waiting for a child failed.
pub fn child_wait_failed(pid: impl std::fmt::Display, e: &dyn std::fmt::Display) -> String {
    format!("pid {pid} wait failed: {e}")
}

/// A child that keeps dying is restarted after a delay (`short` "VRRP").
pub fn restart_delayed(short: &str, secs: u64) -> String {
    format!("Restart of {short} process delayed {secs} seconds to limit respawn rate")
}

/// A child ignored SIGTERM for `child_wait_time`.
pub fn failed_to_die(ident: &str) -> String {
    format!("{ident} process failed to die - forcing termination")
}

// ---- both children ----------------------------------------------------------

/// A child on SIGHUP.
pub fn child_reloading() -> &'static str {
    "Reloading"
}

/// A child (and the parent) once the new configuration is in force.
pub fn reload_complete() -> &'static str {
    "Reload complete"
}

/// A child's last line.
pub fn child_stopped() -> &'static str {
    "Stopped"
}

/// Our own: a reload whose configuration could not be used.
pub fn reload_failed() -> &'static str {
    "Reload failed: keeping the running configuration"
}

/// Our own: as [`reload_failed`], with the reason.
pub fn reload_failed_because(e: &dyn std::fmt::Display) -> String {
    format!("Reload failed ({e}): keeping the running configuration")
}

/// Our own: a notify script could not be started (VRRP and checker
/// notifies; keepalived's forked child logs "Error exec-ing command").
pub fn notify_exec_failed(script: &str, description: &str) -> String {
    format!("Failed to exec notify script {script}: {description}")
}

/// The stats or JSON file could not be written (`errno` and strerror).
pub fn cant_open(path: &str, errno: i32, description: &str) -> String {
    format!("Can't open {path} ({errno}: {description})")
}

/// The SIGUSR1 data file could not be written: keepalived names the file,
/// not its path (`open_dump_file`).
pub fn cant_open_dump_file(file: &str, errno: i32, description: &str) -> String {
    format!("Can't open dump file {file} ({errno}: {description})")
}

/// Any process (the parent too) whose `process_name` could not be set.
pub fn process_name_failed(name: &str) -> String {
    format!("Failed to set process name '{name}'")
}

/// Our own: the track files' directories cannot be watched (inotify), so
/// the files are read every second instead.
pub fn track_files_polled(e: &dyn std::fmt::Display) -> String {
    format!("Cannot watch track files ({e}) - reading them every second")
}

/// Our own: no netlink link monitoring.
pub fn netlink_monitor_failed(e: &dyn std::fmt::Display) -> String {
    format!("Cannot monitor interfaces through netlink: {e}")
}

// ---- VRRP child (Keepalived_vrrp) -------------------------------------------

/// Interface state from a netlink link event.
pub fn netlink_reports(ifname: &str, up: bool) -> String {
    format!(
        "Netlink reports {ifname} {}",
        if up { "up" } else { "down" }
    )
}

/// The "(VI_1) " prefix of every instance line; `msg` is one of the texts
/// below that take no instance name.
pub fn instance_line(iname: &str, msg: &str) -> String {
    format!("({iname}) {msg}")
}

/// A backup's down timer expired (`-D`).
pub fn receive_advert_timeout() -> &'static str {
    "Receive advertisement timeout"
}

/// Trackers moved the effective priority.
pub fn changing_effective_priority(from: u8, to: u8) -> String {
    format!("Changing effective priority from {from} to {to}")
}

/// At start-up: a tracked interface is down.
pub fn fault_interface_down(iname: &str, ifname: &str) -> String {
    format!("({iname}): entering FAULT state (interface {ifname} down)")
}

/// At start-up: a weight-0 track script is failing.
pub fn fault_script(iname: &str, script: &str) -> String {
    format!("({iname}): entering FAULT state due to script {script}")
}

/// At start-up: a track file's weighted value makes the instance fault.
pub fn fault_track_file(iname: &str, file: &str, status: i64) -> String {
    format!("({iname}): entering FAULT state (tracked file {file} has status {status})")
}

/// At start-up: a tracked process has no quorum.
pub fn fault_track_process(iname: &str, process: &str) -> String {
    format!("({iname}) entering FAULT state (tracked process {process} quorum not achieved)")
}

/// At start-up: a tracked BFD instance is down.
pub fn tracked_bfd_down(iname: &str, bfd: &str) -> String {
    format!("({iname}) Tracked BFD instance {bfd} is DOWN")
}

/// Initial state BACKUP.
pub fn entering_backup_init() -> &'static str {
    "Entering BACKUP STATE (init)"
}

/// Initial state FAULT.
pub fn entering_fault_init() -> &'static str {
    "Entering FAULT STATE (init)"
}

/// Becoming master.
pub fn entering_master() -> &'static str {
    "Entering MASTER STATE"
}

/// Becoming backup.
pub fn entering_backup() -> &'static str {
    "Entering BACKUP STATE"
}

/// Going to fault.
pub fn entering_fault() -> &'static str {
    "Entering FAULT STATE"
}

/// A VRRPv3 master goes back to its own advert interval (`-D`).
pub fn advert_int_restored(from_ms: u64, to_ms: u64) -> String {
    format!("changing advert interval from {from_ms}ms to locally configured {to_ms}ms")
}

/// Adding the VIPs (`-D`).
pub fn setting_vips() -> &'static str {
    "setting VIPs."
}

/// Adding the excluded VIPs (`-D`).
pub fn setting_evips() -> &'static str {
    "setting E-VIPs."
}

/// A priority-0 advert went out (`-D`).
pub fn sent_zero_priority() -> &'static str {
    "sent 0 priority"
}

/// Removing the VIPs (`-D`).
pub fn removing_vips() -> &'static str {
    "removing VIPs."
}

/// Removing the excluded VIPs (`-D`).
pub fn removing_evips() -> &'static str {
    "removing E-VIPs."
}

/// A master got a priority-0 advert (`-D`).
pub fn master_received_zero_priority() -> &'static str {
    "Master received priority 0 message"
}

/// A master got an advert with its own address and priority.
pub fn equal_priority_own_address() -> &'static str {
    "WARNING - equal priority advert received from remote host with our IP address."
}

/// Two address owners on the link.
pub fn both_address_owners() -> &'static str {
    "CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority"
}

/// A master got a lower-priority advert; `forcing` unless
/// `lower_prio_no_advert`.
pub fn lower_priority_advert(
    src: &dyn std::fmt::Display,
    prio: u8,
    ours: u8,
    forcing: bool,
) -> String {
    format!(
        "Received advert from {src} with lower priority {prio}, ours {ours}{}",
        if forcing {
            ", forcing new election"
        } else {
            ""
        }
    )
}

/// A master yields to a higher priority.
pub fn higher_priority_advert(src: &dyn std::fmt::Display, prio: u8, ours: u8) -> String {
    format!("Master received advert from {src} with higher priority {prio}, ours {ours}")
}

/// A master yields to an equal priority from a higher address.
pub fn same_priority_higher_ip(src: &dyn std::fmt::Display, prio: u8) -> String {
    format!(
        "Master received advert from {src} with same priority {prio} but higher IP address than ours"
    )
}

/// A VRRPv3 backup adopts the master's interval (`-D`).
pub fn advert_int_updated(from_ms: u64, to_ms: u64) -> String {
    format!("advertisement interval updated from {from_ms}ms to {to_ms}ms by master")
}

/// A backup got a priority-0 advert (`-D`).
pub fn backup_received_zero_priority() -> &'static str {
    "Backup received priority 0 advertisement"
}

/// preempt_delay cancelled (`-D`).
pub fn stop_preempt_delay() -> &'static str {
    "stop preempt delay"
}

/// preempt_delay started (`-D`), seconds and microseconds.
pub fn start_preempt_delay(secs: u64, usecs: u64) -> String {
    format!("start preempt delay ({secs}.{usecs:06})")
}

/// A preempting backup ignores a lower priority.
pub fn lower_priority_discarding(prio: u8, src: &dyn std::fmt::Display) -> String {
    format!("received lower priority ({prio}) advert from {src} - discarding")
}

/// A track script reached `rise`.
pub fn script_succeeded(name: &str) -> String {
    format!("VRRP_Script({name}) succeeded")
}

/// A track script reached `fall` with an exit status.
pub fn script_failed_status(name: &str, status: i32) -> String {
    format!("VRRP_Script({name}) failed (exited with status {status})")
}

/// A track script reached `fall` killed by a signal.
pub fn script_failed_signal(name: &str, signal: i32) -> String {
    format!("VRRP_Script({name}) failed (due to signal {signal})")
}

/// A track script ran past its timeout.
pub fn script_timed_out(name: &str) -> String {
    format!("VRRP_Script({name}) timed_out")
}

/// A track script's exit status changed.
pub fn script_now_returning(name: &str, status: i32) -> String {
    format!("Script `{name}` now returning {status}")
}

/// A track script's previous run has not finished.
pub fn script_skipping(name: &str, being_killed: bool) -> String {
    format!(
        "Track script {name} is {}, expect idle - skipping run",
        if being_killed {
            "being timed out"
        } else {
            "already running"
        }
    )
}

/// A script could not be executed.
pub fn exec_failed(command: &str, errno: i32, description: &str) -> String {
    format!("Error exec-ing command '{command}', error {errno}: {description}")
}

/// fork() failed for a script.
pub fn fork_failed() -> &'static str {
    "Failed fork process"
}

/// Our own: a track script disabled at start-up is not run.
pub fn script_disabled(name: &str) -> String {
    format!("Track script {name} is disabled")
}

/// A track file holds a number out of range.
pub fn invalid_track_file_number(value: i64, path: &str) -> String {
    format!("Invalid number {value} read from {path} - ignoring")
}

/// A sync group moves all its members (`state` MASTER/BACKUP/FAULT).
pub fn group_syncing(group: &str, state: &dyn std::fmt::Display) -> String {
    format!("VRRP_Group({group}) Syncing instances to {state} state")
}

/// A VRRP socket was opened (`-D`); `group` is the multicast address, or
/// None for unicast.
pub fn sockpool(ifindex: u32, v6: bool, group: Option<&dyn std::fmt::Display>) -> String {
    format!(
        "VRRP sockpool: [ifindex({ifindex:3}), family({}), proto(112), {}]",
        if v6 { "IPv6" } else { "IPv4" },
        match group {
            Some(g) => format!("multicast, address({g})"),
            None => "unicast".to_string(),
        }
    )
}

/// The VRRP child's reload took this long (`-D`).
pub fn reload_finished(usec: u128) -> String {
    format!("Reload finished in {usec} usec")
}

/// SIGUSR1.
pub fn printing_vrrp_data(pid: u32) -> String {
    format!("Printing VRRP data for process({pid}) on signal")
}

/// SIGUSR2.
pub fn printing_vrrp_stats(pid: u32) -> String {
    format!("Printing VRRP stats for process({pid}) on signal")
}

/// SIGRTMIN+2 (2.2.7 only).
pub fn printing_vrrp_json(pid: u32) -> String {
    format!("Printing VRRP as json for process({pid}) on signal")
}

/// SIGRTMAX-1.
pub fn printing_clearing_vrrp_stats(pid: u32) -> String {
    format!("Printing and clearing VRRP stats for process({pid}) on signal")
}

/// A VRRPv3 unicast peer uses the pre-1.3.6 checksum.
pub fn old_unicast_checksum(iname: &str) -> String {
    format!("({iname}) Setting unicast VRRPv3 checksum to old version")
}

/// Our own: why an instance changed state (`-D`).
pub fn state_change(
    iname: &str,
    from: &dyn std::fmt::Display,
    to: &dyn std::fmt::Display,
    reason: &dyn std::fmt::Display,
) -> String {
    format!("({iname}) state {from} -> {to}: {reason}")
}

/// Our own: [`state_change`] reason, the first state at start-up.
pub fn reason_startup() -> &'static str {
    "startup"
}

/// Our own: [`state_change`] reason, FAULT at start-up.
pub fn reason_startup_fault() -> &'static str {
    "startup with a tracked object down or not yet checked"
}

/// Our own: [`state_change`] reason, the down timer expired.
pub fn reason_master_down() -> &'static str {
    "no advert from a master within the master-down interval"
}

/// Our own: [`state_change`] reason, a higher-priority master.
pub fn reason_higher_priority(from: &dyn std::fmt::Display, priority: u8) -> String {
    format!("advert from {from} with higher priority {priority}")
}

/// Our own: [`state_change`] reason, an equal priority from a higher address.
pub fn reason_higher_address(from: &dyn std::fmt::Display, priority: u8) -> String {
    format!("advert from {from} with the same priority {priority} and a higher address")
}

/// Our own: [`state_change`] reason, a weight-0 tracker failed.
pub fn reason_tracker_fault() -> &'static str {
    "a tracked object with weight 0 went down"
}

/// Our own: [`state_change`] reason, the weight-0 trackers recovered.
pub fn reason_tracker_recovered() -> &'static str {
    "every weight-0 tracked object is up again"
}

/// Our own: [`state_change`] reason, SIGTERM.
pub fn reason_shutdown() -> &'static str {
    "daemon stopping"
}

/// Our own: [`state_change`] reason, the sync group moved.
pub fn reason_sync_group() -> &'static str {
    "its sync group moved"
}

/// sendto() of an advert failed.
pub fn send_advert_error(iname: &str, errno: i32, description: &str) -> String {
    format!("({iname}): send advert error {errno} ({description})")
}

/// GARPs / unsolicited NAs queued for a VIP (`-D`).
pub fn sending_garps(iname: &str, v6: bool, ifname: &str, addr: &dyn std::fmt::Display) -> String {
    format!(
        "({iname}) Sending/queueing {} on {ifname} for {addr}",
        if v6 {
            "Unsolicited Neighbour Adverts"
        } else {
            "gratuitous ARPs"
        }
    )
}

/// Our own: a static_ipaddress could not be set.
pub fn static_address_failed(
    addr: &dyn std::fmt::Display,
    prefix: u8,
    e: &dyn std::fmt::Display,
) -> String {
    format!("cannot set static address {addr}/{prefix}: {e}")
}

/// Our own: a static_routes entry could not be set.
pub fn static_route_failed(route: &str, e: &dyn std::fmt::Display) -> String {
    format!("cannot set static route '{route}': {e}")
}

/// Our own: a VIP could not be added or removed.
pub fn vip_change_failed(
    iname: &str,
    add: bool,
    addr: &dyn std::fmt::Display,
    prefix: u8,
    e: &dyn std::fmt::Display,
) -> String {
    format!(
        "({iname}) cannot {} VIP {addr}/{prefix}: {e}",
        add_remove(add)
    )
}

/// Our own: a virtual route could not be added or removed.
pub fn route_change_failed(
    iname: &str,
    add: bool,
    route: &str,
    e: &dyn std::fmt::Display,
) -> String {
    format!("({iname}) cannot {} route '{route}': {e}", add_remove(add))
}

fn add_remove(add: bool) -> &'static str {
    if add { "add" } else { "remove" }
}

/// Our own: the macvlan of `use_vmac` could not be created.
pub fn vmac_create_failed(iname: &str, ifname: &str, e: &dyn std::fmt::Display) -> String {
    format!("({iname}) Cannot create VMAC interface {ifname}: {e}")
}

/// Our own: a VIP recorded by a killed predecessor was removed.
pub fn removed_leftover_vip(addr: &dyn std::fmt::Display, prefix: u8, dev: &str) -> String {
    format!("Removed leftover VIP {addr}/{prefix} from {dev} (added by a previous run)")
}

/// Our own: a route a previous (crashed) run installed, deleted at start.
pub fn removed_leftover_route(route: &str) -> String {
    format!("Removed leftover route {route} (added by a previous run)")
}

// Bad adverts (reference f.3): keepalived 2.2.7's forms, without "from X".

/// A received IPv4 packet is shorter than the VRRP header.
pub fn rx_ipv4_too_short(len: usize) -> String {
    format!("IPv4 VRRP packet too short - {len} bytes")
}

/// As above, with an AH header.
pub fn rx_ipv4_ah_too_short(len: usize) -> String {
    format!("IPv4 VRRP packet with AH too short - {len} bytes")
}

/// A received IPv6 packet is shorter than the VRRP header.
pub fn rx_ipv6_too_short(len: usize) -> String {
    format!("IPv6 VRRP packet too short - {len} bytes")
}

/// No instance for the VRID on this interface (`log_unknown_vrids`).
pub fn rx_unknown_vrid(vrid: u8, ifname: &str) -> String {
    format!("Unknown VRID({vrid}) received on interface({ifname}). ignoring...")
}

/// An IPv6 packet of the wrong cast for the instance.
pub fn rx_ipv6_cast_discard(iname: &str, multicast: bool) -> String {
    format!(
        "({iname}) discarding {}icast packet on {}icast instance",
        if multicast { "mult" } else { "un" },
        if multicast { "un" } else { "mult" },
    )
}

/// AH present or missing against the configured auth type.
pub fn rx_ah_presence(iname: &str, received_ah: bool) -> String {
    if received_ah {
        format!("({iname}) Received AH header but auth type not AH")
    } else {
        format!("({iname}) No AH header but auth type is AH")
    }
}

/// Length does not match the header.
pub fn rx_packet_length(iname: &str, len: usize, expected: usize) -> String {
    format!(
        "({iname}) vrrp packet too {}, length {len} and expect {expected}",
        if len > expected { "long" } else { "short" }
    )
}

/// TTL/hop limit is not 255.
pub fn rx_ttl(iname: &str, ttl: u8) -> String {
    format!("({iname}) invalid TTL/HL. Received {ttl} and expect 255")
}

/// VRRP version differs from ours.
pub fn rx_version(iname: &str, received: u8, expected: u8) -> String {
    format!("({iname}) wrong version. Received {received} and expect {expected}")
}

/// v2 auth type out of range.
pub fn rx_invalid_auth_type(iname: &str, auth_type: u8) -> String {
    format!("({iname}) Invalid auth type: {auth_type}")
}

/// v2 auth type differs from ours.
pub fn rx_auth_type_mismatch(iname: &str, received: u8, expected: u8) -> String {
    format!("({iname}) received a {received} auth, expecting {expected}!")
}

/// v2 simple password mismatch.
pub fn rx_password(iname: &str) -> String {
    format!("({iname}) received an invalid passwd!")
}

/// AH ICV mismatch.
pub fn rx_ah_icv(iname: &str) -> String {
    format!(
        "({iname}) IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !"
    )
}

/// AH SPI is not the source address.
pub fn rx_ah_spi(saddr: u32, spi: u32) -> String {
    format!("IPSEC AH : invalid IPSEC SPI value. {saddr} and expect {spi}")
}

/// AH sequence number replayed.
pub fn rx_ah_sequence(iname: &str, seq: u32, last: u32) -> String {
    format!(
        "({iname}) IPSEC-AH : sequence number {seq} already processed. Packet dropped. Local({last})"
    )
}

/// v2 advert interval differs from ours.
pub fn rx_advert_interval(iname: &str, mine: u16, received: u8) -> String {
    format!("({iname}) advertisement interval mismatch mine={mine} sec rcv'd={received} sec")
}

/// VRRP type is not ADVERTISEMENT.
pub fn rx_invalid_type(iname: &str, ptype: u8) -> String {
    format!("({iname}) Invalid packet type. {ptype} and expect 1")
}

/// Address count differs from our VIP count.
pub fn rx_addr_count(iname: &str, received: u8, expected: u8) -> String {
    format!("({iname}) received an unexpected ip number count {received}, expected {expected}!")
}

/// IPv4 total length differs from the received length.
pub fn rx_total_length(iname: &str, tot_len: u16, received: usize) -> String {
    format!(
        "({iname}) ip_tot_len mismatch against received length. {tot_len} and received {received}"
    )
}

/// Checksum error.
pub fn rx_checksum(iname: &str, version: u8) -> String {
    format!("({iname}) Invalid VRRPv{version} checksum")
}

/// Unicast vs multicast destination mismatch.
pub fn rx_cast_mismatch(iname: &str, expected_unicast: bool) -> String {
    format!(
        "({iname}) Expected {}icast packet but received {}icast packet",
        if expected_unicast { "un" } else { "mult" },
        if expected_unicast { "mult" } else { "un" },
    )
}

/// One of our VIPs is missing from the advert.
pub fn rx_vip_missing(iname: &str, vrid: u8, vip: &dyn std::fmt::Display) -> String {
    format!("({iname}) ip address associated with VRID {vrid} not present in MASTER advert: {vip}")
}

/// A rule a previous (crashed) run installed, deleted at start-up.
pub fn removed_leftover_rule(rule: &str) -> String {
    format!("Removed leftover rule {rule} (added by a previous run)")
}

/// A `static_rules` (no instance) or `virtual_rules` line the kernel refused.
pub fn rule_failed(instance: Option<&str>, add: bool, rule: &str, err: &str) -> String {
    let verb = if add { "add" } else { "remove" };
    match instance {
        Some(i) => format!("({i}) cannot {verb} rule '{rule}': {err}"),
        None => format!("cannot {verb} static rule '{rule}': {err}"),
    }
}

/// An instance installing (MASTER) or removing its `virtual_rules` (-D).
pub fn virtual_rules_change(instance: &str, add: bool) -> String {
    let verb = if add { "setting" } else { "removing" };
    format!("({instance}) {verb} Virtual Rules")
}

/// A `vrrp_track_process` whose process count entered or left its quorum.
pub fn process_quorum(name: &str, gained: bool) -> String {
    let what = if gained { "gained" } else { "lost" };
    format!("Quorum {what} for tracked process {name}")
}

/// `lvs_sync_daemon` names an instance that is not configured.
pub fn lvs_syncd_instance_missing(name: &str) -> String {
    format!("Unable to find vrrp instance {name} for lvs_syncd - clearing lvs_syncd config")
}

/// The kernel refused a sync daemon command (keepalived's `ipvs_talk()`:
/// the sockopt name and number, libipvs's error text and the errno).
pub fn ipvs_cmd_error(cmd: &str, code: u32, desc: &str, errno: i32) -> String {
    format!("IPVS cmd {cmd}({code}) error: {desc}({errno})")
}

/// IPVS could not be opened for the sync daemon (keepalived's `ipvs_start()`;
/// `reason` is libipvs's `ipvs_strerror()` text for the errno).
pub fn ipvs_init_failed(reason: &str) -> String {
    format!("IPVS: Can't initialize ipvs: {reason}")
}

// ---- checker child (Keepalived_healthcheckers) -------------------------------

/// With -D: the open-file limit was raised for the checks' sockets.
pub fn open_file_limit_set(soft: u64, hard: u64) -> String {
    format!("Set open file limit to {soft}:{hard}.")
}

/// The open-file limit could not be raised (`errno`).
pub fn open_file_limit_failed(required: u64, errno: i32) -> String {
    format!("Failed to set open file limit to {required} failed - errno {errno}")
}

/// The checker child before it touches IPVS.
pub fn initializing_ipvs() -> &'static str {
    "Initializing ipvs"
}

/// The checker child at a reload, once the new configuration is read.
pub fn reinitializing_ipvs() -> &'static str {
    "Reinitializing ipvs"
}

/// A checker starts (`rs`, `vs` in keepalived's `[ip]:proto:port` form).
pub fn activating_healthchecker(rs: &str, vs: &str) -> String {
    format!("Activating healthchecker for service {rs} for VS {vs}")
}

/// A virtual server vanished at reload.
pub fn removing_virtual_server(vs: &dyn std::fmt::Display) -> String {
    format!("Removing Virtual Server {vs}")
}

/// A `virtual_server group` vanished at reload.
pub fn removing_virtual_server_group(group: &str) -> String {
    format!("Removing Virtual Server Group [{group}]")
}

/// SIGTERM without `-I`: a live real server is removed.
pub fn shutting_down_service(inhibited: bool, rs: &str, vs: &str) -> String {
    let inh = if inhibited { "(inhibited) " } else { "" };
    format!("Shutting down {inh}service {rs} from VS {vs}")
}

/// A real server came up (added to IPVS).
pub fn adding_service(rs: &str, vs: &str) -> String {
    format!("Adding service {rs} to VS {vs}")
}

/// A real server went down (removed from IPVS).
pub fn removing_service(rs: &str, vs: &str) -> String {
    format!("Removing service {rs} from VS {vs}")
}

/// A real server with inhibit_on_failure came up (weight restored).
pub fn enabling_service(rs: &str, vs: &str) -> String {
    format!("Enabling service {rs} of VS {vs}")
}

/// A real server with inhibit_on_failure went down (weight 0).
pub fn disabling_service(rs: &str, vs: &str) -> String {
    format!("Disabling service {rs} of VS {vs}")
}

/// MISC_CHECK misc_dynamic changed a weight.
pub fn changing_weight(from: i32, to: i32, alive: bool, rs: &str, vs: &str) -> String {
    format!(
        "Changing weight from {from} to {to} for {}active service {rs} of VS {vs}",
        if alive { "" } else { "in" }
    )
}

/// The live weight reached quorum + hysteresis.
pub fn gained_quorum(quorum: i64, hysteresis: i64, weight: i64, vs: &str) -> String {
    format!(
        "Gained quorum {quorum}+{hysteresis}={} <= {weight} for VS {vs}",
        quorum + hysteresis
    )
}

/// The live weight fell below quorum - hysteresis.
pub fn lost_quorum(quorum: i64, hysteresis: i64, weight: i64, vs: &str) -> String {
    format!(
        "Lost quorum {quorum}-{hysteresis}={} > {weight} for VS {vs}",
        quorum - hysteresis
    )
}

/// Quorum regained: the sorry server goes.
pub fn removing_sorry_server(ss: &str, vs: &str) -> String {
    format!("Removing sorry server {ss} from VS {vs}")
}

/// Quorum lost: the sorry server comes in.
pub fn adding_sorry_server(ss: &str, vs: &str) -> String {
    format!("Adding sorry server {ss} to VS {vs}")
}

/// Quorum regained with `sorry_server_inhibit`: the sorry server goes back
/// to weight 0.
pub fn disabling_sorry_server(ss: &str, vs: &str) -> String {
    format!("Disabling sorry server {ss} from VS {vs}")
}

/// Quorum lost with `sorry_server_inhibit`: the sorry server (in IPVS at
/// weight 0) gets its weight.
pub fn enabling_sorry_server(ss: &str, vs: &str) -> String {
    format!("Enabling sorry server {ss} to VS {vs}")
}

/// The sorry server came in: the live real servers leave IPVS.
pub fn removing_alive_servers(vs: &str) -> String {
    format!("Removing alive servers from the pool for VS {vs}")
}

/// The sorry server went: the live real servers come back.
pub fn adding_alive_servers(vs: &str) -> String {
    format!("Adding alive servers to the pool for VS {vs}")
}

/// TCP_CHECK up.
pub fn tcp_success(rs: &str) -> String {
    format!("TCP connection to {rs} success.")
}

/// HTTP_GET / SSL_GET up (`url` is the path).
pub fn http_success(rs: &str, url: &str) -> String {
    format!("HTTP status code success to {rs} url({url})")
}

/// SMTP_CHECK up.
pub fn smtp_check_success(rs: &str) -> String {
    format!("Remote SMTP server {rs} succeed on service.")
}

/// UDP_CHECK up.
pub fn udp_success(rs: &str) -> String {
    format!("UDP connection to {rs} success.")
}

/// PING_CHECK up.
pub fn icmp_success(rs: &str) -> String {
    format!("ICMP connection to {rs} success.")
}

/// DNS_CHECK up.
pub fn dns_success(rs: &str) -> String {
    format!("DNS_CHECK ({rs}) succeeded")
}

/// The "Misc check for [rs VS vs] by [path]" head of every MISC_CHECK line.
pub fn misc_head(rs: &str, vs: &str, path: &str) -> String {
    format!("Misc check for [{rs} VS {vs}] by [{path}]")
}

/// MISC_CHECK up.
pub fn misc_success(rs: &str, vs: &str, path: &str) -> String {
    format!("{} succeeded.", misc_head(rs, vs, path))
}

/// MISC_CHECK down after its retries (keepalived's `check_misc.c` phrase:
/// " after 1 retry", " after N retries", or " with retry disabled").
pub fn misc_failed(rs: &str, vs: &str, path: &str, retry: u32) -> String {
    let tail = match retry {
        0 => " with retry disabled".to_string(),
        1 => " after 1 retry".to_string(),
        n => format!(" after {n} retries"),
    };
    format!("{} failed{tail}.", misc_head(rs, vs, path))
}

/// One MISC_CHECK run exited non-zero (`head` from [`misc_head`]).
pub fn misc_run_failed_status(head: &str, status: i32) -> String {
    format!("{head} failed (exited with status {status}).")
}

/// One MISC_CHECK run was killed by a signal.
pub fn misc_run_failed_signal(head: &str, signal: i32) -> String {
    format!("{head} failed (due to signal {signal}).")
}

/// One MISC_CHECK run exceeded misc_timeout.
pub fn misc_run_timed_out(head: &str) -> String {
    format!("{head} timed out.")
}

/// Our own: one MISC_CHECK run could not fork.
pub fn misc_run_fork_failed(head: &str, description: &str) -> String {
    format!("{head} failed (could not fork: {description}).")
}

/// Our own: FILE_CHECK up (keepalived logs no success line for it).
pub fn file_check_success(rs: &str) -> String {
    format!("FILE_CHECK on service {rs} succeeded.")
}

/// BFD_CHECK up or down (`bfd` is the BFD instance name).
pub fn bfd_check(bfd: &str, rs: &str, up: bool) -> String {
    format!(
        "BFD check of [{bfd}] RS({rs}) is {}",
        if up { "UP" } else { "DOWN" }
    )
}

/// A checker went down after its retries (`checker` "TCP_CHECK",
/// "HTTP_CHECK", …; `retry` 0: no suffix).
pub fn checker_failed(checker: &str, rs: &str, retry: u32) -> String {
    if retry > 0 {
        format!("{checker} on service {rs} failed after {retry} retries.")
    } else {
        format!("{checker} on service {rs} failed.")
    }
}

/// PING_CHECK went down: keepalived names it "ICMP CHECK" and, after
/// retries, also the virtual server.
pub fn icmp_check_failed(rs: &str, vs: &str, retry: u32) -> String {
    if retry > 0 {
        format!("ICMP CHECK on service {rs} of {vs} failed after {retry} retries.")
    } else {
        format!("ICMP CHECK on service {rs} failed.")
    }
}

/// TCP connect timed out (log_all_failures).
pub fn tcp_timeout(rs: &str) -> String {
    format!("TCP connection to {rs} timeout.")
}

/// TCP connect failed (log_all_failures).
pub fn tcp_failed(rs: &str) -> String {
    format!("TCP connection to {rs} failed.")
}

/// Our own: the TCP socket could not be bound (bind_to / bind_port);
/// keepalived says "TCP socket bind failed. Rescheduling.".
pub fn tcp_bind_failed(rs: &str, e: &dyn std::fmt::Display) -> String {
    format!("TCP socket bind failed for {rs}: {e}.")
}

/// UDP_CHECK send/receive failed.
pub fn udp_failed(rs: &str) -> String {
    format!("UDP connection to {rs} failed.")
}

/// UDP_CHECK reply differs from `require_reply`.
pub fn udp_reply_mismatch(rs: &str) -> String {
    format!("UDP check to {rs} reply data mismatch.")
}

/// A DNS_CHECK failure (`what` e.g. "connection timeout.").
pub fn dns_failed(rs: &str, what: &str) -> String {
    format!("DNS_CHECK ({rs}) {what}")
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_connect_timeout() -> &'static str {
    "connection timeout."
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_connect_failure() -> &'static str {
    "connection failure."
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_connect_error() -> &'static str {
    "connection error."
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_write_timeout() -> &'static str {
    "write timeout to socket."
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_write_failed() -> &'static str {
    "failed to write socket."
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_short_write() -> &'static str {
    "failed to write all of the datagram."
}

/// DNS_CHECK reason for [`dns_failed`].
pub fn dns_read_timeout() -> &'static str {
    "read timeout from socket"
}

/// DNS_CHECK recv() failed.
pub fn dns_read_failed(errno: i32, description: &str) -> String {
    format!("failed to read socket; errno {errno} ({description})")
}

/// DNS_CHECK got an error rcode.
pub fn dns_rcode(rcode: u8) -> String {
    format!("read error occurred. (rcode = {rcode})")
}

/// An HTTP_GET / SSL_GET url failed (`why` e.g. "HTTP status code error to").
pub fn http_failed(why: &str, rs: &str) -> String {
    format!("{why} server {rs}.")
}

/// An SMTP_CHECK failure (`what` e.g. "Read timeout from server X").
pub fn smtp_check_failed(what: &str) -> String {
    format!("SMTP_CHECK {what}")
}

/// Our own: a checker kind without a probe.
pub fn probe_not_implemented(kind: &dyn std::fmt::Debug, rs: &str) -> String {
    format!("{kind:?} probe not implemented for {rs}.")
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: no body came back (note the trailing space keepalived has).
pub fn http_no_data() -> &'static str {
    "Read, no data received from "
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the status code is not in the url's set.
pub fn http_status_error() -> &'static str {
    "HTTP status code error to"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the body's MD5 differs from `digest`.
pub fn http_digest_error() -> &'static str {
    "MD5 digest error to"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the body does not match `regex`.
pub fn http_regex_failed() -> &'static str {
    "Regex match failed"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: sending the request timed out.
pub fn http_write_timeout() -> &'static str {
    "Timeout WEB write"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: sending the request failed.
pub fn http_send_failed() -> &'static str {
    "Cannot send get request to"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: reading over TLS timed out.
pub fn http_ssl_read_timeout() -> &'static str {
    "Timeout SSL read"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the first read timed out.
pub fn http_web_read_timeout() -> &'static str {
    "Timeout WEB read"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: a later read timed out.
pub fn http_read_timeout() -> &'static str {
    "Timeout HTTP read"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: a read failed.
pub fn http_read_error() -> &'static str {
    "Read error with"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the connection (or TLS handshake) timed out.
pub fn http_connect_timeout() -> &'static str {
    "Timeout connecting"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the network or host is unreachable.
pub fn http_unreachable() -> &'static str {
    "HTTP_CHECK - network unreachable"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the connection was refused or failed.
pub fn http_connect_error() -> &'static str {
    "Error connecting"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the socket could not be set up.
pub fn http_connect_failed() -> &'static str {
    "Connection failed"
}

/// HTTP_GET / SSL_GET reason for [`http_failed`]: the TLS handshake failed.
pub fn http_ssl_error() -> &'static str {
    "SSL handshake/communication error connecting to"
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_buffer_overflow(who: &str) -> String {
    format!("Buffer overflow reading from server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_read_timeout(who: &str) -> String {
    format!("Read timeout from server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_read_failure(who: &str) -> String {
    format!("Read failure from server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_write_timeout(who: &str) -> String {
    format!("Write timeout to server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_write_failure(who: &str) -> String {
    format!("Write failure to server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_bad_greeting(who: &str) -> String {
    format!("Bad greeting banner from server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_bad_helo(who: &str) -> String {
    format!("Bad HELO response from server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_connect_timeout(who: &str) -> String {
    format!("Connection timeout to server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_connect_error(who: &str) -> String {
    format!("Error connecting to server {who}")
}

/// SMTP_CHECK reason for [`smtp_check_failed`] (`who` "[addr]:port").
pub fn smtp_check_connect_failed(who: &str) -> String {
    format!("Could not connect to server {who}")
}

/// PING_CHECK attempt without a reply in connect_timeout (log_all_failures).
pub fn icmp_timeout(rs: &str) -> String {
    format!("ICMP connection to address {rs} timeout.")
}

/// PING_CHECK attempt that failed otherwise (log_all_failures).
pub fn icmp_failed(rs: &str, vs: &str) -> String {
    format!("ICMP connection to {rs} of {vs} failed.")
}

/// PING_CHECK could not create its socket.
pub fn icmp_socket_failed(v6: bool) -> String {
    format!(
        "ICMP{} connect fail to create socket. Rescheduling.",
        if v6 { "v6" } else { "" }
    )
}

/// PING_CHECK received an ICMP message that is not an echo reply.
pub fn icmp_unexpected_type(v6: bool, ty: u8) -> String {
    format!(
        "Got ICMP{} packet with type 0x{ty:x}",
        if v6 { "v6" } else { "" }
    )
}

/// With -D: a FILE_CHECK's file went into (`fault`) or out of fault.
pub fn track_file_fault(rs: &str, file: &str, fault: bool) -> String {
    format!(
        "({rs}): tracked file {file} {} FAULT state",
        if fault { "now" } else { "leaving" }
    )
}

/// `ha_suspend`: at start, a checker whose VS address is not local.
pub fn deactivating_healthchecker(rs: &str, vs: &str) -> String {
    format!("Deactivating healthchecker for service {rs} for VS {vs}")
}

/// `ha_suspend`: the VS address appeared (`true`) or went away.
pub fn healthchecker_resumed(resumed: bool, rs: &str, vs: &str) -> String {
    let verb = if resumed { "Activating" } else { "Suspending" };
    format!("{verb} healthchecker for service {rs} for VS {vs}")
}

/// SET_CONFIG (`lvs_timeouts`) failed.
pub fn ipvs_timeouts_failed() -> &'static str {
    "Failed to set ipvs timeouts"
}

/// Start-up or reload finds a VS without quorum (keepalived prints
/// `quorum-hysteresis=threshold` where the threshold is quorum+hysteresis).
pub fn starting_with_quorum_down(
    quorum: i64,
    hysteresis: i64,
    threshold: i64,
    weight: i64,
    vs: &str,
) -> String {
    format!("Starting with quorum down {quorum}-{hysteresis}={threshold} > {weight} for VS {vs}")
}

/// Reload: an entry of a kept virtual server's group is gone (`entry`:
/// the mark, `[ip]:proto:port`, or that followed by `-LAST` for a range).
pub fn vsg_entry_no_longer_exists(entry: &str, group: &str) -> String {
    format!("VS [{entry}] in group {group} no longer exists")
}

/// Reload: a real server is no longer in its (kept) virtual server.
pub fn service_no_longer_exist(rs: &str) -> String {
    format!("service {rs} no longer exist")
}

/// Reload: a real server still in IPVS is taken out (`inhibited`: with
/// inhibit_on_failure and down, so present with weight 0).
pub fn removing_service_at_reload(inhibited: bool, rs: &str, vs: &str) -> String {
    let inh = if inhibited { "(inhibited) " } else { "" };
    format!("Removing {inh}service {rs} from VS {vs}")
}

/// Our own: waiting on the TCP_CHECK connects failed (the checks in flight
/// then end by their `connect_timeout`).
pub fn connect_set_failed(e: &dyn std::fmt::Display) -> String {
    format!("TCP_CHECK connect wait failed: {e}")
}

// ---- alerts (SMTP, FIFOs) ---------------------------------------------------

/// mkfifo() failed (`prefix` "", "vrrp_" or "lvs_").
pub fn fifo_create_failed(prefix: &str, path: &str) -> String {
    format!("Unable to create {prefix}notify fifo {path}")
}

/// The FIFO could not be opened.
pub fn fifo_open_failed(prefix: &str, path: &str, errno: i32) -> String {
    format!("Unable to open {prefix}notify fifo {path} - errno {errno}")
}

/// A FIFO's reader script ended (`word` "vrrp", "lvs" or "global").
pub fn fifo_script_terminated(word: &str) -> String {
    format!("{word} notify fifo script terminated")
}

/// Our own: a FIFO's reader script could not be started.
pub fn fifo_script_failed(word: &str, script: &str, description: &str) -> String {
    format!("Unable to run {word} notify fifo script {script}: {description}")
}

/// chown() of a FIFO failed.
pub fn fifo_chown_failed(path: &dyn std::fmt::Display) -> String {
    format!("Failed to set uid:gid for fifo {path}")
}

/// The global FIFO is also the vrrp/LVS one (`label` "vrrp" or "LVS").
pub fn fifo_same_as_global(path: &str, label: &str) -> String {
    format!(
        "notify FIFO {path} has been specified for global and {label} FIFO - ignoring {label} FIFO"
    )
}

/// The LVS and vrrp FIFOs are one file, each with a script.
pub fn fifo_lvs_same_as_vrrp() -> &'static str {
    "LVS notify FIFO and vrrp FIFO are the same both with scripts - ignoring LVS FIFO script"
}

/// SMTP: connected (`-D`); `server` is "[addr]:port".
pub fn smtp_connected(server: &str) -> String {
    format!("Remote SMTP server {server} connected.")
}

/// SMTP: the server took the mail (`-D`).
pub fn smtp_sent() -> &'static str {
    "SMTP alert successfully sent."
}

/// Our own: alerts dropped because the queue was full.
pub fn smtp_queue_full(n: u64) -> String {
    format!("SMTP alert queue full - {n} alert(s) dropped")
}

/// Our own: the smtp_server name does not resolve (keepalived resolves while parsing).
pub fn smtp_resolve_failed(server: &str) -> String {
    format!("Unable to resolve SMTP server {server}")
}

/// SMTP: connect() failed.
pub fn smtp_connect_error(server: &str) -> String {
    format!("SMTP connection ERROR to {server}.")
}

/// SMTP: connect timed out.
pub fn smtp_connect_timeout(server: &str) -> String {
    format!("Timeout opening connection to remote SMTP server {server}.")
}

/// SMTP: a reply timed out.
pub fn smtp_read_timeout(server: &str) -> String {
    format!("Timeout reading data to remote SMTP server {server}.")
}

/// SMTP: read() failed.
pub fn smtp_read_error(server: &str) -> String {
    format!("Error reading data from remote SMTP server {server}.")
}

/// SMTP: the server hung up.
pub fn smtp_closed(server: &str) -> String {
    format!("Remote SMTP server {server} has closed the connection.")
}

/// SMTP: a reply was too long.
pub fn smtp_overflow(server: &str) -> String {
    format!("Received buffer from remote SMTP server {server} overflow our get read buffer length.")
}

/// SMTP: write() failed.
pub fn smtp_send_error(server: &str) -> String {
    format!("Cannot send data to remote SMTP server {server}.")
}

/// Our own (AUTH extension): no PLAIN or LOGIN offered.
pub fn smtp_no_auth_mechanism(server: &str) -> String {
    format!("SMTP server {server} offers no supported AUTH mechanism (PLAIN, LOGIN).")
}

/// SMTP: the server answered a command with an unexpected code.
pub fn smtp_status(cmd: &str, server: &str, code: i32) -> String {
    format!("Error processing {cmd} cmd on SMTP server {server}. SMTP status code = {code}")
}

/// The VMAC's IPv6 address generation could not be switched off.
/// keepalived: "(VI) Error setting ADDR_GEN_MODE to NONE on IF" (the
/// base interface, no error text); netlink knows no instance name here.
pub fn addr_gen_mode_failed(ifname: &str, e: &dyn std::fmt::Display) -> String {
    format!("Error setting ADDR_GEN_MODE to NONE on {ifname}: {e}")
}

/// Extension (`smtp_tls`): the trusted roots file cannot be used.
pub fn smtp_tls_roots_unusable(path: &str) -> String {
    format!("Cannot load SMTP TLS trusted certificates from {path}.")
}

/// Extension (`smtp_tls`): the TLS handshake with the SMTP server failed.
pub fn smtp_tls_handshake_failed(server: &str, reason: &str) -> String {
    format!("TLS handshake with SMTP server {server} failed: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// Texts from keepalived 2.2.7 (reference section i), byte for byte.
    #[test]
    fn wording_matches_keepalived() {
        assert_eq!(startup_complete(), "Startup complete");
        assert_eq!(parent_reloading(), "Reloading ...");
        assert_eq!(child_reloading(), "Reloading");
        assert_eq!(reload_complete(), "Reload complete");
        assert_eq!(parent_stopping(), "Stopping");
        assert_eq!(child_stopped(), "Stopped");
        assert_eq!(netlink_reports("eth0", false), "Netlink reports eth0 down");
        assert_eq!(netlink_reports("eth0", true), "Netlink reports eth0 up");
        assert_eq!(initializing_ipvs(), "Initializing ipvs");
        assert_eq!(reinitializing_ipvs(), "Reinitializing ipvs");
        assert_eq!(
            open_file_limit_set(1047, 1048576),
            "Set open file limit to 1047:1048576."
        );
        assert_eq!(
            removed_leftover_route("198.51.100.0/24 via 192.0.2.1"),
            "Removed leftover route 198.51.100.0/24 via 192.0.2.1 (added by a previous run)"
        );
        assert_eq!(
            removed_leftover_rule("inet preference 5 nop"),
            "Removed leftover rule inet preference 5 nop (added by a previous run)"
        );
        assert_eq!(
            rule_failed(Some("VI_1"), true, "nop", "EPERM"),
            "(VI_1) cannot add rule 'nop': EPERM"
        );
        assert_eq!(
            virtual_rules_change("VI_1", true),
            "(VI_1) setting Virtual Rules"
        );
        assert_eq!(
            virtual_rules_change("VI_1", false),
            "(VI_1) removing Virtual Rules"
        );
        assert_eq!(
            process_quorum("p", true),
            "Quorum gained for tracked process p"
        );
        assert_eq!(
            process_quorum("p", false),
            "Quorum lost for tracked process p"
        );
        assert_eq!(
            lvs_syncd_instance_missing("VI_9"),
            "Unable to find vrrp instance VI_9 for lvs_syncd - clearing lvs_syncd config"
        );
        assert_eq!(
            ipvs_cmd_error("IP_VS_SO_SET_STOPDAEMON", 1163, "No daemon is running", 3),
            "IPVS cmd IP_VS_SO_SET_STOPDAEMON(1163) error: No daemon is running(3)"
        );
        assert_eq!(
            ipvs_init_failed("Protocol not available"),
            "IPVS: Can't initialize ipvs: Protocol not available"
        );
        assert_eq!(
            rule_failed(None, false, "nop", "x"),
            "cannot remove static rule 'nop': x"
        );
    }

    /// Section i "daemon start", "stop", "child died", e (respawn), d.2.
    #[test]
    fn parent_lines() {
        // keepalived prints "(MM/DD,YYYY)" where we print "(rust)": the
        // prefix up to the version is what monitoring matches.
        assert!(starting_keepalived("2.2.7").starts_with("Starting Keepalived v2.2.7 "));
        assert_eq!(
            command_line(&["keepalived".into(), "-n".into()]),
            "Command line: 'keepalived' '-n'"
        );
        assert_eq!(
            configuration_file("/etc/keepalived/keepalived.conf"),
            "Configuration file /etc/keepalived/keepalived.conf"
        );
        assert_eq!(
            stopped_keepalived(&version_line("2.2.7")),
            "Stopped Keepalived v2.2.7 (rust)"
        );
        assert_eq!(daemon_already_running(), "daemon is already running");
        assert_eq!(
            no_configuration_to_run(),
            "Warning - keepalived has no configuration to run"
        );
        assert_eq!(
            starting_child("VRRP", 42),
            "Starting VRRP child process, pid=42"
        );
        assert_eq!(
            starting_child("Healthcheck", 43),
            "Starting Healthcheck child process, pid=43"
        );
        assert_eq!(
            permanent_error("Keepalived_vrrp", "CONFIG"),
            "Keepalived_vrrp exited with permanent error CONFIG. Terminating"
        );
        assert_eq!(
            child_died_exiting("VRRP", 7),
            "VRRP child process(7) died: Exiting"
        );
        assert_eq!(
            child_died_respawning("Healthcheck", 7),
            "Healthcheck child process(7) died: Respawning"
        );
        // keepalived adds " - has rlimit_rttime been exceeded?" only when
        // realtime scheduling is in use, which we never set.
        assert_eq!(
            child_exited_signal(9, 9, "Killed"),
            "pid 9 exited due to signal 9 (Killed)"
        );
        assert_eq!(
            restart_delayed("VRRP", 4),
            "Restart of VRRP process delayed 4 seconds to limit respawn rate"
        );
        assert_eq!(
            failed_to_die("Keepalived_vrrp"),
            "Keepalived_vrrp process failed to die - forcing termination"
        );
        assert_eq!(
            config_files_missing("/x.conf"),
            "Config files missing '/x.conf'."
        );
        assert_eq!(child_exited_status(3, 5), "pid 3 exited with status 5");
    }

    /// Our own lines (no keepalived equivalent): pinned so a change is
    /// deliberate.
    #[test]
    fn own_lines() {
        assert_eq!(pid_alive(5, "/run/k.pid"), "pid 5 from /run/k.pid is alive");
        assert_eq!(runtime_start_failed(&"x"), "cannot start the runtime: x");
        assert_eq!(
            unable_to_start_child("VRRP", &"x"),
            "Unable to start VRRP child process: x"
        );
        assert_eq!(
            unable_to_restart_child("VRRP", &"x"),
            "Unable to restart VRRP child process: x"
        );
        assert_eq!(child_exited(3), "pid 3 exited");
        assert_eq!(child_wait_failed(3, &"x"), "pid 3 wait failed: x");
        assert_eq!(
            reload_failed(),
            "Reload failed: keeping the running configuration"
        );
        assert_eq!(
            reload_failed_because(&"x"),
            "Reload failed (x): keeping the running configuration"
        );
        assert_eq!(reload_finished(12), "Reload finished in 12 usec");
        assert_eq!(
            netlink_monitor_failed(&"x"),
            "Cannot monitor interfaces through netlink: x"
        );
        assert_eq!(
            state_change("VI_1", &"BACKUP", &"MASTER", &reason_startup()),
            "(VI_1) state BACKUP -> MASTER: startup"
        );
        assert_eq!(
            reason_higher_priority(&ip("192.0.2.2"), 150),
            "advert from 192.0.2.2 with higher priority 150"
        );
        assert_eq!(
            reason_higher_address(&ip("192.0.2.2"), 100),
            "advert from 192.0.2.2 with the same priority 100 and a higher address"
        );
        assert_eq!(
            reason_master_down(),
            "no advert from a master within the master-down interval"
        );
        assert_eq!(reason_shutdown(), "daemon stopping");
        assert_eq!(reason_sync_group(), "its sync group moved");
        assert_eq!(
            reason_tracker_fault(),
            "a tracked object with weight 0 went down"
        );
        assert_eq!(
            reason_tracker_recovered(),
            "every weight-0 tracked object is up again"
        );
        assert_eq!(
            reason_startup_fault(),
            "startup with a tracked object down or not yet checked"
        );
        assert_eq!(
            static_address_failed(&ip("192.0.2.1"), 24, &"x"),
            "cannot set static address 192.0.2.1/24: x"
        );
        assert_eq!(
            static_route_failed("192.0.2.0/24 via 192.0.2.1", &"x"),
            "cannot set static route '192.0.2.0/24 via 192.0.2.1': x"
        );
        assert_eq!(
            vip_change_failed("VI_1", true, &ip("192.0.2.1"), 32, &"x"),
            "(VI_1) cannot add VIP 192.0.2.1/32: x"
        );
        assert_eq!(
            route_change_failed("VI_1", false, "192.0.2.0/24", &"x"),
            "(VI_1) cannot remove route '192.0.2.0/24': x"
        );
        assert_eq!(
            vmac_create_failed("VI_1", "vrrp.1", &"x"),
            "(VI_1) Cannot create VMAC interface vrrp.1: x"
        );
        assert_eq!(
            removed_leftover_vip(&ip("192.0.2.1"), 32, "eth0"),
            "Removed leftover VIP 192.0.2.1/32 from eth0 (added by a previous run)"
        );
        assert_eq!(
            probe_not_implemented(&"Bfd", "[192.0.2.2]:tcp:80"),
            "\"Bfd\" probe not implemented for [192.0.2.2]:tcp:80."
        );
        assert_eq!(
            track_files_polled(&"ENOENT"),
            "Cannot watch track files (ENOENT) - reading them every second"
        );
        assert_eq!(
            connect_set_failed(&"EBADF"),
            "TCP_CHECK connect wait failed: EBADF"
        );
        assert_eq!(
            smtp_resolve_failed("mail.example"),
            "Unable to resolve SMTP server mail.example"
        );
        assert_eq!(
            smtp_no_auth_mechanism("[192.0.2.9]:25"),
            "SMTP server [192.0.2.9]:25 offers no supported AUTH mechanism (PLAIN, LOGIN)."
        );
        assert_eq!(
            smtp_queue_full(3),
            "SMTP alert queue full - 3 alert(s) dropped"
        );
    }

    /// Section i (init, master, backup, fault, priority, peer stopping),
    /// f.2, f.4, f.5, f.12; keepalived 2.2.7 source for the -D lines.
    #[test]
    fn vrrp_instance_lines() {
        let l = |m: &str| instance_line("VI_1", m);
        assert_eq!(
            l(entering_backup_init()),
            "(VI_1) Entering BACKUP STATE (init)"
        );
        assert_eq!(
            l(entering_fault_init()),
            "(VI_1) Entering FAULT STATE (init)"
        );
        assert_eq!(l(entering_master()), "(VI_1) Entering MASTER STATE");
        assert_eq!(l(entering_backup()), "(VI_1) Entering BACKUP STATE");
        assert_eq!(l(entering_fault()), "(VI_1) Entering FAULT STATE");
        assert_eq!(
            l(receive_advert_timeout()),
            "(VI_1) Receive advertisement timeout"
        );
        assert_eq!(l(setting_vips()), "(VI_1) setting VIPs.");
        assert_eq!(l(removing_vips()), "(VI_1) removing VIPs.");
        assert_eq!(l(setting_evips()), "(VI_1) setting E-VIPs.");
        assert_eq!(l(removing_evips()), "(VI_1) removing E-VIPs.");
        assert_eq!(l(sent_zero_priority()), "(VI_1) sent 0 priority");
        assert_eq!(
            l(backup_received_zero_priority()),
            "(VI_1) Backup received priority 0 advertisement"
        );
        assert_eq!(
            l(master_received_zero_priority()),
            "(VI_1) Master received priority 0 message"
        );
        assert_eq!(
            l(&changing_effective_priority(100, 110)),
            "(VI_1) Changing effective priority from 100 to 110"
        );
        let peer = ip("10.0.0.2");
        assert_eq!(
            l(&higher_priority_advert(&peer, 160, 110)),
            "(VI_1) Master received advert from 10.0.0.2 with higher priority 160, ours 110"
        );
        assert_eq!(
            l(&same_priority_higher_ip(&peer, 100)),
            "(VI_1) Master received advert from 10.0.0.2 with same priority 100 but higher IP address than ours"
        );
        assert_eq!(
            l(&lower_priority_advert(&peer, 90, 100, true)),
            "(VI_1) Received advert from 10.0.0.2 with lower priority 90, ours 100, forcing new election"
        );
        assert_eq!(
            l(&lower_priority_advert(&peer, 90, 100, false)),
            "(VI_1) Received advert from 10.0.0.2 with lower priority 90, ours 100"
        );
        assert_eq!(
            l(&lower_priority_discarding(110, &peer)),
            "(VI_1) received lower priority (110) advert from 10.0.0.2 - discarding"
        );
        assert_eq!(
            l(&advert_int_updated(1000, 2000)),
            "(VI_1) advertisement interval updated from 1000ms to 2000ms by master"
        );
        assert_eq!(
            l(&advert_int_restored(2000, 1000)),
            "(VI_1) changing advert interval from 2000ms to locally configured 1000ms"
        );
        assert_eq!(l(stop_preempt_delay()), "(VI_1) stop preempt delay");
        assert_eq!(
            l(&start_preempt_delay(5, 0)),
            "(VI_1) start preempt delay (5.000000)"
        );
        assert_eq!(
            l(equal_priority_own_address()),
            "(VI_1) WARNING - equal priority advert received from remote host with our IP address."
        );
        assert!(both_address_owners().starts_with(
            "CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner"
        ));
        assert_eq!(
            fault_interface_down("VI_1", "eth1"),
            "(VI_1): entering FAULT state (interface eth1 down)"
        );
        assert_eq!(
            fault_script("VI_1", "chk"),
            "(VI_1): entering FAULT state due to script chk"
        );
        assert_eq!(
            fault_track_file("VI_1", "tf", -254),
            "(VI_1): entering FAULT state (tracked file tf has status -254)"
        );
        assert_eq!(
            fault_track_process("VI_1", "p"),
            "(VI_1) entering FAULT state (tracked process p quorum not achieved)"
        );
        assert_eq!(
            tracked_bfd_down("VI_1", "b"),
            "(VI_1) Tracked BFD instance b is DOWN"
        );
        assert_eq!(
            old_unicast_checksum("VI_1"),
            "(VI_1) Setting unicast VRRPv3 checksum to old version"
        );
        assert_eq!(
            send_advert_error("VI_1", 101, "Network is unreachable"),
            "(VI_1): send advert error 101 (Network is unreachable)"
        );
    }

    /// Section i "become master" (-D), "VRRP init" sockpool, f.6.
    #[test]
    fn vrrp_child_lines() {
        assert_eq!(
            sending_garps("VI_1", false, "eth0", &ip("10.0.0.1")),
            "(VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.1"
        );
        assert_eq!(
            sending_garps("VI_1", true, "eth0", &ip("2001:db8::1")),
            "(VI_1) Sending/queueing Unsolicited Neighbour Adverts on eth0 for 2001:db8::1"
        );
        let g = ip("224.0.0.18");
        assert_eq!(
            sockpool(3, false, Some(&g)),
            "VRRP sockpool: [ifindex(  3), family(IPv4), proto(112), multicast, address(224.0.0.18)]"
        );
        // keepalived also prints the fds ("fd(13,14) "); we have none to show.
        assert_eq!(
            sockpool(12, true, None),
            "VRRP sockpool: [ifindex( 12), family(IPv6), proto(112), unicast]"
        );
        assert_eq!(
            printing_vrrp_data(9),
            "Printing VRRP data for process(9) on signal"
        );
        assert_eq!(
            printing_vrrp_stats(9),
            "Printing VRRP stats for process(9) on signal"
        );
        assert_eq!(
            printing_clearing_vrrp_stats(9),
            "Printing and clearing VRRP stats for process(9) on signal"
        );
        assert_eq!(
            printing_vrrp_json(9),
            "Printing VRRP as json for process(9) on signal"
        );
        // keepalived 2.2.7 vrrp_print.c, vrrp_json.c, global_data.c.
        assert_eq!(
            cant_open("/tmp/keepalived.stats", 13, "Permission denied"),
            "Can't open /tmp/keepalived.stats (13: Permission denied)"
        );
        assert_eq!(
            cant_open_dump_file("keepalived.data", 13, "Permission denied"),
            "Can't open dump file keepalived.data (13: Permission denied)"
        );
        assert_eq!(
            notify_exec_failed("/n.sh", "No such file or directory"),
            "Failed to exec notify script /n.sh: No such file or directory"
        );
        assert_eq!(
            group_syncing("G1", &"MASTER"),
            "VRRP_Group(G1) Syncing instances to MASTER state"
        );
    }

    /// Section i "track script"; keepalived 2.2.7 vrrp_track.c/scheduler.c
    /// for the rest.
    #[test]
    fn track_lines() {
        assert_eq!(script_succeeded("chk"), "VRRP_Script(chk) succeeded");
        assert_eq!(
            script_failed_status("chk", 1),
            "VRRP_Script(chk) failed (exited with status 1)"
        );
        assert_eq!(
            script_failed_signal("chk", 9),
            "VRRP_Script(chk) failed (due to signal 9)"
        );
        assert_eq!(script_timed_out("chk"), "VRRP_Script(chk) timed_out");
        assert_eq!(
            script_now_returning("chk", 1),
            "Script `chk` now returning 1"
        );
        assert_eq!(
            script_skipping("chk", false),
            "Track script chk is already running, expect idle - skipping run"
        );
        assert_eq!(
            script_skipping("chk", true),
            "Track script chk is being timed out, expect idle - skipping run"
        );
        assert_eq!(
            exec_failed("/x", 2, "No such file or directory"),
            "Error exec-ing command '/x', error 2: No such file or directory"
        );
        assert_eq!(fork_failed(), "Failed fork process");
        assert_eq!(script_disabled("chk"), "Track script chk is disabled");
        assert_eq!(
            invalid_track_file_number(5_000_000_000, "/run/tf"),
            "Invalid number 5000000000 read from /run/tf - ignoring"
        );
    }

    /// Section f.3 and i "bad adverts": the 2.2.7 forms (no "from X").
    #[test]
    fn bad_advert_lines() {
        assert_eq!(rx_password("VI_1"), "(VI_1) received an invalid passwd!");
        assert_eq!(
            rx_advert_interval("VI_1", 2, 1),
            "(VI_1) advertisement interval mismatch mine=2 sec rcv'd=1 sec"
        );
        assert_eq!(
            rx_ah_presence("VI_1", true),
            "(VI_1) Received AH header but auth type not AH"
        );
        assert_eq!(
            rx_ah_presence("VI_1", false),
            "(VI_1) No AH header but auth type is AH"
        );
        assert_eq!(
            rx_packet_length("VI_1", 40, 32),
            "(VI_1) vrrp packet too long, length 40 and expect 32"
        );
        assert_eq!(
            rx_packet_length("VI_1", 20, 32),
            "(VI_1) vrrp packet too short, length 20 and expect 32"
        );
        assert_eq!(
            rx_ttl("VI_1", 64),
            "(VI_1) invalid TTL/HL. Received 64 and expect 255"
        );
        assert_eq!(
            rx_version("VI_1", 3, 2),
            "(VI_1) wrong version. Received 3 and expect 2"
        );
        assert_eq!(
            rx_invalid_auth_type("VI_1", 7),
            "(VI_1) Invalid auth type: 7"
        );
        assert_eq!(
            rx_auth_type_mismatch("VI_1", 1, 0),
            "(VI_1) received a 1 auth, expecting 0!"
        );
        assert_eq!(
            rx_invalid_type("VI_1", 2),
            "(VI_1) Invalid packet type. 2 and expect 1"
        );
        assert_eq!(rx_checksum("VI_1", 2), "(VI_1) Invalid VRRPv2 checksum");
        assert_eq!(
            rx_cast_mismatch("VI_1", true),
            "(VI_1) Expected unicast packet but received multicast packet"
        );
        assert_eq!(
            rx_cast_mismatch("VI_1", false),
            "(VI_1) Expected multicast packet but received unicast packet"
        );
        assert_eq!(
            rx_unknown_vrid(9, "eth0"),
            "Unknown VRID(9) received on interface(eth0). ignoring..."
        );
        assert!(rx_total_length("VI_1", 40, 36).starts_with("(VI_1) ip_tot_len mismatch"));
        assert!(rx_ah_icv("VI_1").starts_with("(VI_1) IPSEC-AH : "));
        assert!(rx_ah_sequence("VI_1", 3, 4).starts_with("(VI_1) IPSEC-AH : "));
        assert!(rx_ah_spi(1, 2).starts_with("IPSEC AH : "));
        assert_eq!(
            rx_addr_count("VI_1", 2, 1),
            "(VI_1) received an unexpected ip number count 2, expected 1!"
        );
        assert_eq!(
            rx_vip_missing("VI_1", 51, &ip("10.0.0.1")),
            "(VI_1) ip address associated with VRID 51 not present in MASTER advert: 10.0.0.1"
        );
        assert_eq!(
            rx_ipv4_too_short(12),
            "IPv4 VRRP packet too short - 12 bytes"
        );
        assert_eq!(
            rx_ipv4_ah_too_short(12),
            "IPv4 VRRP packet with AH too short - 12 bytes"
        );
        assert_eq!(rx_ipv6_too_short(4), "IPv6 VRRP packet too short - 4 bytes");
        assert_eq!(
            rx_ipv6_cast_discard("VI_1", true),
            "(VI_1) discarding multicast packet on unicast instance"
        );
    }

    /// Sections g.2-g.6 and i (checker up/down, RS added/removed).
    #[test]
    fn checker_lines() {
        let (rs, vs) = ("[192.168.1.2]:tcp:80", "[10.0.0.1]:tcp:80");
        assert_eq!(
            tcp_success(rs),
            "TCP connection to [192.168.1.2]:tcp:80 success."
        );
        assert_eq!(
            checker_failed("TCP_CHECK", rs, 3),
            "TCP_CHECK on service [192.168.1.2]:tcp:80 failed after 3 retries."
        );
        assert_eq!(
            checker_failed("TCP_CHECK", rs, 0),
            "TCP_CHECK on service [192.168.1.2]:tcp:80 failed."
        );
        assert_eq!(
            checker_failed("HTTP_CHECK", rs, 1),
            "HTTP_CHECK on service [192.168.1.2]:tcp:80 failed after 1 retries."
        );
        // keepalived 2.2.7 check_ping.c (reference g.2: "PING similar").
        assert_eq!(
            icmp_check_failed(rs, vs, 2),
            "ICMP CHECK on service [192.168.1.2]:tcp:80 of [10.0.0.1]:tcp:80 failed after 2 retries."
        );
        assert_eq!(
            icmp_check_failed(rs, vs, 0),
            "ICMP CHECK on service [192.168.1.2]:tcp:80 failed."
        );
        assert_eq!(
            http_success(rs, "/p"),
            "HTTP status code success to [192.168.1.2]:tcp:80 url(/p)"
        );
        assert_eq!(
            smtp_check_success(rs),
            "Remote SMTP server [192.168.1.2]:tcp:80 succeed on service."
        );
        assert_eq!(
            udp_success(rs),
            "UDP connection to [192.168.1.2]:tcp:80 success."
        );
        assert_eq!(
            icmp_success(rs),
            "ICMP connection to [192.168.1.2]:tcp:80 success."
        );
        assert_eq!(
            tcp_timeout(rs),
            "TCP connection to [192.168.1.2]:tcp:80 timeout."
        );
        assert_eq!(
            tcp_failed(rs),
            "TCP connection to [192.168.1.2]:tcp:80 failed."
        );
        assert_eq!(
            misc_success(rs, vs, "/chk.sh"),
            "Misc check for [[192.168.1.2]:tcp:80 VS [10.0.0.1]:tcp:80] by [/chk.sh] succeeded."
        );
        // Reference g.4 / keepalived 2.2.7 check_misc.c.
        assert_eq!(
            misc_failed(rs, vs, "/chk.sh", 0),
            "Misc check for [[192.168.1.2]:tcp:80 VS [10.0.0.1]:tcp:80] by [/chk.sh] failed with retry disabled."
        );
        assert_eq!(
            misc_failed(rs, vs, "/chk.sh", 1),
            "Misc check for [[192.168.1.2]:tcp:80 VS [10.0.0.1]:tcp:80] by [/chk.sh] failed after 1 retry."
        );
        assert_eq!(
            misc_failed(rs, vs, "/chk.sh", 3),
            "Misc check for [[192.168.1.2]:tcp:80 VS [10.0.0.1]:tcp:80] by [/chk.sh] failed after 3 retries."
        );
        let head = misc_head(rs, vs, "/chk.sh");
        assert_eq!(
            misc_run_timed_out(&head),
            "Misc check for [[192.168.1.2]:tcp:80 VS [10.0.0.1]:tcp:80] by [/chk.sh] timed out."
        );
        assert_eq!(
            misc_run_failed_status(&head, 1),
            format!("{head} failed (exited with status 1).")
        );
        assert_eq!(
            misc_run_failed_signal(&head, 9),
            format!("{head} failed (due to signal 9).")
        );
        assert_eq!(
            dns_failed("[192.0.2.53]:udp:53", "connection timeout."),
            "DNS_CHECK ([192.0.2.53]:udp:53) connection timeout."
        );
        assert_eq!(dns_rcode(2), "read error occurred. (rcode = 2)");
        assert_eq!(
            dns_failed("[192.0.2.53]:udp:53", dns_read_timeout()),
            "DNS_CHECK ([192.0.2.53]:udp:53) read timeout from socket"
        );
        assert_eq!(
            bfd_check("b1", rs, true),
            "BFD check of [b1] RS([192.168.1.2]:tcp:80) is UP"
        );
        assert_eq!(
            bfd_check("b1", rs, false),
            "BFD check of [b1] RS([192.168.1.2]:tcp:80) is DOWN"
        );
        assert_eq!(
            http_failed(http_status_error(), rs),
            "HTTP status code error to server [192.168.1.2]:tcp:80."
        );
        assert_eq!(
            http_failed(http_digest_error(), rs),
            "MD5 digest error to server [192.168.1.2]:tcp:80."
        );
        assert_eq!(http_no_data(), "Read, no data received from ");
        assert_eq!(http_regex_failed(), "Regex match failed");
        assert_eq!(
            smtp_check_failed(&smtp_check_read_timeout("[192.0.2.25]:25")),
            "SMTP_CHECK Read timeout from server [192.0.2.25]:25"
        );
        assert_eq!(
            activating_healthchecker(rs, vs),
            "Activating healthchecker for service [192.168.1.2]:tcp:80 for VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            adding_service(rs, vs),
            "Adding service [192.168.1.2]:tcp:80 to VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            removing_service(rs, vs),
            "Removing service [192.168.1.2]:tcp:80 from VS [10.0.0.1]:tcp:80"
        );
        // Reference g.6; keepalived 2.2.7 ipwrapper.c uses "of" for both.
        assert_eq!(
            enabling_service(rs, vs),
            "Enabling service [192.168.1.2]:tcp:80 of VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            disabling_service(rs, vs),
            "Disabling service [192.168.1.2]:tcp:80 of VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            shutting_down_service(false, rs, vs),
            "Shutting down service [192.168.1.2]:tcp:80 from VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            shutting_down_service(true, rs, vs),
            "Shutting down (inhibited) service [192.168.1.2]:tcp:80 from VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            removing_virtual_server(&vs),
            "Removing Virtual Server [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            changing_weight(1, 3, false, rs, vs),
            "Changing weight from 1 to 3 for inactive service [192.168.1.2]:tcp:80 of VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            gained_quorum(2, 1, 4, vs),
            "Gained quorum 2+1=3 <= 4 for VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            lost_quorum(2, 1, 0, vs),
            "Lost quorum 2-1=1 > 0 for VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            adding_sorry_server("[192.0.2.9]:tcp:80", vs),
            "Adding sorry server [192.0.2.9]:tcp:80 to VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            removing_sorry_server("[192.0.2.9]:tcp:80", vs),
            "Removing sorry server [192.0.2.9]:tcp:80 from VS [10.0.0.1]:tcp:80"
        );
    }

    /// h.5 ("SMTP alert successfully sent.") and keepalived 2.2.7's
    /// smtp.c / notify.c for the rest.
    #[test]
    fn alert_lines() {
        assert_eq!(smtp_sent(), "SMTP alert successfully sent.");
        assert_eq!(
            smtp_connected("[192.0.2.25]:25"),
            "Remote SMTP server [192.0.2.25]:25 connected."
        );
        assert_eq!(
            smtp_connect_timeout("[192.0.2.25]:25"),
            "Timeout opening connection to remote SMTP server [192.0.2.25]:25."
        );
        assert_eq!(
            smtp_status("HELO", "[192.0.2.25]:25", 500),
            "Error processing HELO cmd on SMTP server [192.0.2.25]:25. SMTP status code = 500"
        );
        assert_eq!(
            fifo_create_failed("vrrp_", "/run/f"),
            "Unable to create vrrp_notify fifo /run/f"
        );
        assert_eq!(
            fifo_open_failed("", "/run/f", 6),
            "Unable to open notify fifo /run/f - errno 6"
        );
        assert_eq!(
            enabling_sorry_server("[192.0.2.9]:tcp:80", "[10.0.0.1]:tcp:80"),
            "Enabling sorry server [192.0.2.9]:tcp:80 to VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            disabling_sorry_server("[192.0.2.9]:tcp:80", "[10.0.0.1]:tcp:80"),
            "Disabling sorry server [192.0.2.9]:tcp:80 from VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            removing_alive_servers("[10.0.0.1]:tcp:80"),
            "Removing alive servers from the pool for VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            adding_alive_servers("[10.0.0.1]:tcp:80"),
            "Adding alive servers to the pool for VS [10.0.0.1]:tcp:80"
        );
        assert_eq!(
            fifo_script_terminated("vrrp"),
            "vrrp notify fifo script terminated"
        );
        assert_eq!(
            fifo_same_as_global("/run/f", "LVS"),
            "notify FIFO /run/f has been specified for global and LVS FIFO - ignoring LVS FIFO"
        );
        assert_eq!(
            addr_gen_mode_failed("vrrp.1", &"x"),
            "Error setting ADDR_GEN_MODE to NONE on vrrp.1: x"
        );
        assert_eq!(
            smtp_tls_roots_unusable("/ca.pem"),
            "Cannot load SMTP TLS trusted certificates from /ca.pem."
        );
        assert_eq!(
            smtp_tls_handshake_failed("[192.0.2.1]:25", "x"),
            "TLS handshake with SMTP server [192.0.2.1]:25 failed: x"
        );
        let rs = "[192.0.2.2]:tcp:0";
        assert_eq!(
            icmp_success(rs),
            "ICMP connection to [192.0.2.2]:tcp:0 success."
        );
        assert_eq!(
            icmp_check_failed(rs, "[192.0.2.1]:tcp:80", 2),
            "ICMP CHECK on service [192.0.2.2]:tcp:0 of [192.0.2.1]:tcp:80 failed after 2 retries."
        );
        assert_eq!(
            icmp_check_failed(rs, "[192.0.2.1]:tcp:80", 0),
            "ICMP CHECK on service [192.0.2.2]:tcp:0 failed."
        );
        assert_eq!(
            icmp_timeout(rs),
            "ICMP connection to address [192.0.2.2]:tcp:0 timeout."
        );
        assert_eq!(
            icmp_failed(rs, "[192.0.2.1]:tcp:80"),
            "ICMP connection to [192.0.2.2]:tcp:0 of [192.0.2.1]:tcp:80 failed."
        );
        assert_eq!(
            icmp_socket_failed(true),
            "ICMPv6 connect fail to create socket. Rescheduling."
        );
        assert_eq!(
            icmp_unexpected_type(false, 3),
            "Got ICMP packet with type 0x3"
        );
        assert_eq!(ipvs_timeouts_failed(), "Failed to set ipvs timeouts");
        assert_eq!(
            starting_with_quorum_down(2, 1, 3, 1, "[192.0.2.1]:tcp:80"),
            "Starting with quorum down 2-1=3 > 1 for VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            service_no_longer_exist(rs),
            "service [192.0.2.2]:tcp:0 no longer exist"
        );
        assert_eq!(
            removing_service_at_reload(true, rs, "[192.0.2.1]:tcp:80"),
            "Removing (inhibited) service [192.0.2.2]:tcp:0 from VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            removing_service_at_reload(false, rs, "[192.0.2.1]:tcp:80"),
            removing_service(rs, "[192.0.2.1]:tcp:80")
        );
        assert_eq!(
            changing_weight(3, 0, false, rs, "[192.0.2.1]:tcp:80"),
            "Changing weight from 3 to 0 for inactive service [192.0.2.2]:tcp:0 of VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            track_file_fault(rs, "f1", true),
            "([192.0.2.2]:tcp:0): tracked file f1 now FAULT state"
        );
        assert_eq!(
            track_file_fault(rs, "f1", false),
            "([192.0.2.2]:tcp:0): tracked file f1 leaving FAULT state"
        );
        assert_eq!(
            deactivating_healthchecker(rs, "[192.0.2.1]:tcp:80"),
            "Deactivating healthchecker for service [192.0.2.2]:tcp:0 for VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            healthchecker_resumed(false, rs, "[192.0.2.1]:tcp:80"),
            "Suspending healthchecker for service [192.0.2.2]:tcp:0 for VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            healthchecker_resumed(true, rs, "[192.0.2.1]:tcp:80"),
            "Activating healthchecker for service [192.0.2.2]:tcp:0 for VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(process_name_failed("kd"), "Failed to set process name 'kd'");
    }
}
