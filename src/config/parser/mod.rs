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

/// One keyword of a section.
#[derive(Clone, Copy)]
pub struct Kw {
    pub name: &'static str,
    pub handler: Option<Handler>,
    /// Keywords of the block this keyword opens, if it opens one.
    pub sub: Option<&'static [Kw]>,
    pub end: Option<EndHandler>,
}

impl Kw {
    pub const fn new(name: &'static str, handler: Handler) -> Kw {
        Kw {
            name,
            handler: Some(handler),
            sub: None,
            end: None,
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
        }
    }
}

impl Parser<'_> {
    /// keepalived's `process_stream()`: read lines at this level until the
    /// closing `}` (or end of input at the root). Returns true when the block
    /// was skipped on request of a handler (then its end handler must not run).
    pub fn process_stream(&mut self, table: &[Kw], mut need_bob: bool, level: u32) -> bool {
        while let Some(line) = self.next_line() {
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

            match table.iter().find(|k| k.name == first) {
                Some(kw) => {
                    if let Some(h) = kw.handler {
                        h(self, &line);
                    }
                    if let Some(sub) = kw.sub {
                        let skipped = self.process_stream(sub, true, level + 1);
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

/// The root keyword table: every section keepalived 2.2.7 knows at top
/// level, gathered from the modules that own them.
pub fn root() -> &'static [Kw] {
    static ROOT: std::sync::LazyLock<Vec<Kw>> =
        std::sync::LazyLock::new(|| [global::ROOT, vrrp::ROOT, lvs::ROOT].concat());
    &ROOT
}
