//! The keyword-tree parser: keepalived's `process_stream()` semantics over the
//! lexer's lines, dispatching to per-section keyword tables.
//!
//! Block structure is walked by hand rather than with nom combinators because
//! keepalived's recovery rules are stateful: an unknown keyword that opens a
//! block leaks its contents into the enclosing block and its `}` closes the
//! enclosing block early; a handler may ask to skip the block that follows it.
//! nom parses the values (numbers, timers, addresses) inside each handler
//! (`values.rs`).

pub mod bfd;
pub mod ctx;
pub mod global;
pub mod lvs;
pub mod route;
pub mod script_check;
pub mod values;
pub mod vrrp;
pub mod vrrp_check;

use super::diag::Category;
pub use ctx::Parser;

/// A keyword handler: called with the keyword's line (word 0 is the keyword).
pub type Handler = fn(&mut Parser, &crate::config::token::Line);
/// Called when a keyword's `{ … }` block ends normally (not when skipped).
pub type EndHandler = fn(&mut Parser);

/// keepalived reads the configuration once per process (parent, checker,
/// VRRP, BFD), each with only its own root sections active; the others are
/// skipped by brace counting. Their diagnostics differ when braces are
/// missing, so `-t` emulates every pass (bits of [`Kw::passes`]).
pub mod pass {
    pub const GLOBAL: u8 = 1;
    pub const CHECK: u8 = 2;
    pub const VRRP: u8 = 4;
    pub const BFD: u8 = 8;
    pub const ALL: u8 = 15;
}

/// One keyword of a section.
#[derive(Clone, Copy)]
pub struct Kw {
    pub name: &'static str,
    pub handler: Option<Handler>,
    /// Keywords of the block this keyword opens, if it opens one.
    pub sub: Option<&'static [Kw]>,
    pub end: Option<EndHandler>,
    /// For root keywords: the passes in which the section is active.
    pub passes: u8,
}

impl Kw {
    pub const fn new(name: &'static str, handler: Handler) -> Kw {
        Kw {
            name,
            handler: Some(handler),
            sub: None,
            end: None,
            passes: pass::ALL,
        }
    }
    pub const fn block(
        name: &'static str,
        handler: Option<Handler>,
        sub: &'static [Kw],
        end: Option<EndHandler>,
    ) -> Kw {
        Kw {
            name,
            handler,
            sub: Some(sub),
            end,
            passes: pass::ALL,
        }
    }
    /// The same keyword, active only in `passes`.
    pub const fn only(self, passes: u8) -> Kw {
        Kw { passes, ..self }
    }
}

impl Parser<'_> {
    /// keepalived's `process_stream()`: read lines at this level until the
    /// closing `}` (or end of input at the root). Returns true when the block
    /// was skipped on request of a handler (then its end handler must not run).
    pub fn process_stream(&mut self, table: &[Kw], mut need_bob: bool, level: u32) -> bool {
        while let Some(line) = self.next_line() {
            if self.aborted.is_some() {
                // keepalived exits on the spot (missing parameter).
                return true;
            }
            let first = line.words[0].text.as_str();

            if self.skip_pending {
                self.skip_pending = false;
                if first == "{" {
                    self.skip_rest_of_block();
                    if level > 0 {
                        return true;
                    }
                    continue;
                }
            }

            if need_bob {
                need_bob = false;
                if first == "{" && level > 0 {
                    continue;
                }
                if level == 1 {
                    self.needs_passes = true;
                }
                self.error_at(
                    &line,
                    0,
                    Category::MissingBob,
                    "Missing '{' at beginning of configuration block",
                );
            } else if first == "{" {
                self.error_at(
                    &line,
                    0,
                    Category::UnexpectedBob,
                    "Unexpected '{' - ignoring",
                );
                continue;
            }

            if first == "}" && level > 0 {
                break;
            }

            match find_kw(table, first) {
                Some(kw) if level == 0 && kw.passes & self.pass == 0 => {
                    // Another process's section: keepalived skips the block
                    // that follows, if it does follow.
                    self.skip_pending = true;
                }
                Some(kw) => {
                    self.level = level;
                    if let Some(h) = kw.handler {
                        h(self, &line);
                    }
                    if let Some(sub) = kw.sub {
                        let skipped = self.process_stream(sub, true, level + 1);
                        self.level = level;
                        if !skipped {
                            if let Some(end) = kw.end {
                                end(self);
                            }
                        }
                    }
                }
                None => {
                    let msg = format!("Unknown keyword '{first}'");
                    self.error_at(&line, 0, Category::UnknownKeyword, msg);
                }
            }
        }
        false
    }

    /// Skip lines until the `{` just consumed is balanced.
    fn skip_rest_of_block(&mut self) {
        let mut depth = 1u32;
        while let Some(line) = self.next_line() {
            for w in &line.words {
                if w.text == "{" {
                    depth += 1;
                } else if w.text == "}" {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
            }
        }
    }
}

/// The keyword `word` names in `table`. Every line is looked up, in tables
/// of up to fifty names: the cheap tests (length, first byte) come first, so
/// the full comparison (a `memcmp` call) runs about once per line instead of
/// for every name of the same length.
fn find_kw<'t>(table: &'t [Kw], word: &str) -> Option<&'t Kw> {
    let w = word.as_bytes();
    let first = *w.first()?;
    table.iter().find(|k| {
        let b = k.name.as_bytes();
        b.len() == w.len() && b[0] == first && b == w
    })
}

/// The root keyword table: every section keepalived 2.2.7 knows at top
/// level, gathered from the modules that own them.
pub fn root() -> &'static [Kw] {
    static ROOT: std::sync::LazyLock<Vec<Kw>> = std::sync::LazyLock::new(|| {
        let own = |t: &[Kw], p: u8| t.iter().map(|k| k.only(p)).collect::<Vec<_>>();
        let mut v = own(global::ROOT, pass::GLOBAL);
        v.extend(vrrp::ROOT.iter().map(|k| match k.name {
            "track_file" | "vrrp_track_file" => k.only(pass::VRRP | pass::CHECK),
            "bfd_instance" => k.only(pass::VRRP | pass::CHECK | pass::BFD),
            _ => k.only(pass::VRRP),
        }));
        v.extend(own(lvs::ROOT, pass::CHECK));
        v
    });
    &ROOT
}

/// Creates a fresh line source: keepalived re-reads the file in each process.
pub type SourceFactory<'a> = dyn Fn() -> Box<dyn ctx::LineSource + 'a> + 'a;

/// Read and check the configuration as keepalived's `-t` does.
///
/// keepalived reads the file once per process (parent, checker, VRRP, BFD),
/// each process with only its own sections active. On a well-formed file
/// these readings agree, so one combined pass gives the same diagnostics at
/// a quarter of the cost. When they can diverge (a root block opened without
/// `{`, a parse stopped by a missing parameter, a `net_namespace` that may
/// end the test early) the passes are emulated one by one from a fresh read.
pub fn run<'a>(
    host: &'a dyn crate::config::source::Host,
    config_test: bool,
    source: &SourceFactory<'a>,
) -> Parser<'a> {
    let mut p = Parser::new(source(), host, config_test);
    p.pass = pass::ALL;
    p.process_stream(root(), false, 0);
    let diverged = p.needs_passes || p.aborted.is_some() || p.cfg.net_namespace.is_some();
    if !diverged {
        p.finish_input();
        lvs::validate(&mut p);
        if p.aborted.is_none() {
            vrrp_check::validate(&mut p);
        }
        dedup(&mut p);
        return p;
    }
    let mut p = Parser::new(source(), host, config_test);
    run_passes(&mut p, source);
    p
}

/// Several passes report the same problem; users see it once.
fn dedup(p: &mut Parser<'_>) {
    let mut seen = std::collections::HashSet::new();
    p.diags
        .retain(|d| seen.insert((d.span.clone(), d.message.clone())));
}

/// Read the lines as keepalived's `-t` does: the parent's pass, then the
/// checker's, VRRP's and BFD's, each followed by that process's checks;
/// stopping where keepalived would exit. Identical diagnostics from several
/// passes are reported once.
pub fn run_passes<'a>(p: &mut Parser<'a>, source: &SourceFactory<'a>) {
    for (which, validate) in [
        (pass::GLOBAL, None),
        (pass::CHECK, Some(lvs::validate as fn(&mut Parser<'_>))),
        (
            pass::VRRP,
            Some(vrrp_check::validate as fn(&mut Parser<'_>)),
        ),
        (pass::BFD, None),
    ] {
        p.rewind(which, source());
        // Sections read by several processes are rebuilt by each.
        p.cfg.track_files.clear();
        p.cfg.bfd_instances.clear();
        p.process_stream(root(), false, 0);
        if p.aborted.is_some() {
            break;
        }
        p.finish_input();
        if which == pass::GLOBAL {
            if let Some(ns) = p.cfg.net_namespace.clone() {
                if !p.host.netns_exists(&ns) {
                    // keepalived cannot enter it and stops, reporting success.
                    let msg = format!("Unable to set network namespace {ns} - exiting");
                    p.info(None, msg);
                    p.aborted = Some(0);
                    break;
                }
            }
        }
        if let Some(v) = validate {
            v(p);
        }
        if p.aborted.is_some() {
            break;
        }
    }
    let mut seen = std::collections::HashSet::new();
    p.diags
        .retain(|d| seen.insert((d.span.clone(), d.message.clone())));
}
