//! sd_notify datagrams as a service manager receives them. `$NOTIFY_SOCKET`
//! is read from the environment, so the env-driven cases run this binary
//! again as a child with the variable set.

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::process::{Command, Stdio};
use std::time::Duration;

use keepalived::sys::sd_notify;

const ROLE: &str = "KA_SDN_TEST_ROLE";

#[test]
fn child_notifier() {
    if std::env::var_os(ROLE).is_none() {
        return;
    }
    let expect_sent = std::env::var_os("NOTIFY_SOCKET").is_some();
    assert_eq!(
        sd_notify::ready(4321, Some("Running")).unwrap(),
        expect_sent
    );
    assert_eq!(sd_notify::reloading().unwrap(), expect_sent);
    assert_eq!(sd_notify::reloaded().unwrap(), expect_sent);
    assert_eq!(sd_notify::stopping().unwrap(), expect_sent);
    assert_eq!(sd_notify::watchdog().unwrap(), expect_sent);
}

fn run_child(notify_socket: Option<&str>) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_notifier", "--test-threads=1"])
        .env(ROLE, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    match notify_socket {
        Some(s) => cmd.env("NOTIFY_SOCKET", s),
        None => cmd.env_remove("NOTIFY_SOCKET"),
    };
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Guard against a filter that matched nothing (a vacuous pass).
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{out:?}"
    );
}

fn recv_all(rx: &UnixDatagram) -> Vec<String> {
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut v = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = rx.recv(&mut buf) {
        v.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    v
}

fn check(got: &[String]) {
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[0], "READY=1\nMAINPID=4321\nSTATUS=Running");
    let usec = got[1]
        .strip_prefix("RELOADING=1\nMONOTONIC_USEC=")
        .unwrap_or_else(|| panic!("{:?}", got[1]));
    let usec: u64 = usec.parse().unwrap();
    // Same clock as ours: the child's stamp lies between boot and now.
    assert!(usec > 0 && usec <= keepalived::sys::clock::monotonic_usec());
    assert_eq!(got[2..], ["READY=1", "STOPPING=1", "WATCHDOG=1"]);
}

#[test]
fn path_socket_gets_states() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let rx = UnixDatagram::bind(&path).unwrap();
    run_child(Some(path.to_str().unwrap()));
    check(&recv_all(&rx));
}

#[test]
fn abstract_socket_gets_states() {
    let name = format!("ka-sdn-test-{}", std::process::id());
    let rx =
        UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap();
    run_child(Some(&format!("@{name}")));
    check(&recv_all(&rx));
}

#[test]
fn unset_socket_is_a_no_op() {
    // The child asserts every call returns Ok(false).
    run_child(None);
}

#[test]
fn missing_listener_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent");
    assert!(sd_notify::notify_to(path.to_str().unwrap(), "READY=1").is_err());
}
