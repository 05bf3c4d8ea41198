//! What a script run is (the command, who runs it) and how it ended: the
//! data shared by the pure cores that decide about scripts
//! (`vrrp::track_script`, `vrrp::notify`, later the MISC_CHECK checker) and
//! the OS edge that runs them (`sys::spawn`).
//!
//! Nothing here touches the OS.

use std::io;

use crate::config::model::Script;

/// A command ready to run: the words as keepalived's script reader split
/// them (section b.6 of the reference), plus the credentials to run with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptSpec {
    /// `args[0]` is the program (already resolved to a path by the config
    /// reader); it is exec'd directly, never searched in `PATH` at run time.
    pub args: Vec<String>,
    pub uid: u32,
    pub gid: u32,
    /// keepalived runs a command starting `</path` (a "can this file be
    /// opened" test) through `system()` rather than `execve()`; such a spec
    /// is run as `/bin/sh -c` with the words single-quoted as keepalived's
    /// `cmd_str()` does.
    pub system: bool,
}

impl ScriptSpec {
    /// The spec for a configured script, with `extra` words appended (the
    /// generic `notify` script gets four).
    pub fn from_script(script: &Script, extra: &[String]) -> ScriptSpec {
        let mut args = script.args.clone();
        args.extend(extra.iter().cloned());
        ScriptSpec {
            system: is_system_command(&script.args),
            args,
            uid: script.uid,
            gid: script.gid,
        }
    }

    /// The command line handed to `/bin/sh -c` for a `system` spec: every
    /// word single-quoted except a first word starting with `<` or `>`
    /// (keepalived's `cmd_str_r`, which also does not escape quotes inside
    /// words).
    pub fn shell_command(&self) -> String {
        let mut out = String::new();
        for (i, word) in self.args.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if i == 0 && (word.starts_with('<') || word.starts_with('>')) {
                out.push_str(word);
            } else {
                out.push('\'');
                out.push_str(word);
                out.push('\'');
            }
        }
        out
    }
}

impl From<&Script> for ScriptSpec {
    fn from(script: &Script) -> ScriptSpec {
        ScriptSpec::from_script(script, &[])
    }
}

/// keepalived's `SC_SYSTEM` test: the command starts `<`, optional blanks,
/// then `/`.
fn is_system_command(args: &[String]) -> bool {
    args.first()
        .and_then(|a| a.strip_prefix('<'))
        .is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with('/'))
}

/// How a script run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptOutcome {
    /// The process exited with this status.
    Exited(i32),
    /// The process was killed by this signal (not as part of a timeout).
    Signaled(i32),
    /// The run outlived its timeout and died from the SIGTERM/SIGKILL sent
    /// for it (keepalived's "timed_out").
    TimedOut,
    /// No process ran the command: `fork`, the credential change or
    /// `execve` failed.
    SpawnFailed(SpawnError),
}

/// Why a script could not be started: the OS error number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpawnError {
    pub errno: i32,
}

impl SpawnError {
    pub fn kind(self) -> io::ErrorKind {
        io::Error::from_raw_os_error(self.errno).kind()
    }

    /// `fork()` itself failed (no process at all): keepalived then records
    /// no result. Any other error happened in the child, which keepalived
    /// ends with `exit(0)` ("Script errors aren't server errors").
    pub fn is_fork_failure(self) -> bool {
        self.errno == libc::EAGAIN || self.errno == libc::ENOMEM
    }

    /// The C library's text for the error (`%m`), without Rust's
    /// " (os error N)" suffix.
    pub fn description(self) -> &'static str {
        nix::errno::Errno::from_raw(self.errno).desc()
    }
}

impl From<&io::Error> for SpawnError {
    fn from(e: &io::Error) -> SpawnError {
        SpawnError {
            errno: e.raw_os_error().unwrap_or(libc::EIO),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(words: &[&str]) -> Script {
        Script {
            args: words.iter().map(|w| w.to_string()).collect(),
            uid: 65534,
            gid: 65533,
            ..Script::default()
        }
    }

    #[test]
    fn extra_words_are_appended_and_credentials_kept() {
        let spec = ScriptSpec::from_script(&script(&["/bin/n", "x"]), &["A".into(), "B".into()]);
        assert_eq!(spec.args, ["/bin/n", "x", "A", "B"]);
        assert_eq!((spec.uid, spec.gid, spec.system), (65534, 65533, false));
    }

    #[test]
    fn file_test_commands_go_through_the_shell() {
        assert!(ScriptSpec::from(&script(&["</tmp/f"])).system);
        assert!(ScriptSpec::from(&script(&["< \t/tmp/f"])).system);
        assert!(!ScriptSpec::from(&script(&["<tmp/f"])).system);
        assert!(!ScriptSpec::from(&script(&["/bin/true"])).system);
    }

    #[test]
    fn shell_command_quotes_like_cmd_str() {
        let spec = ScriptSpec::from(&script(&["</tmp/f", "a b", "$HOME"]));
        assert_eq!(spec.shell_command(), "</tmp/f 'a b' '$HOME'");
        let spec = ScriptSpec::from(&script(&["/bin/x", "y"]));
        assert_eq!(spec.shell_command(), "'/bin/x' 'y'");
    }

    #[test]
    fn spawn_error_classification() {
        let e = SpawnError {
            errno: libc::ENOENT,
        };
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(e.description(), "No such file or directory");
        assert!(!e.is_fork_failure());
        assert!(
            SpawnError {
                errno: libc::EAGAIN
            }
            .is_fork_failure()
        );
    }
}
