//! Human-readable `keepalived -t` output.
//!
//! keepalived prints bare `(file: Line N) msg` lines; we print compiler-style
//! `FILE:LINE:COL: SEVERITY: MESSAGE` with the offending line and a caret, so
//! editors can jump to the spot and users see at once what is wrong. The
//! keepalived form stays available ([`keepalived_format`]) for logs, where
//! people grep for keepalived's exact wording.

use std::fmt::Write as _;

use super::Loaded;
use super::diag::Diag;
use super::token::SourceMap;

/// The whole `-t` report for a load: one block per diagnostic, in order.
pub fn render(loaded: &Loaded) -> String {
    render_diags(&loaded.diags, &loaded.sources)
}

/// Render diagnostics against the source text they point into.
pub fn render_diags(diags: &[Diag], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, d, sources);
    }
    out
}

/// Control characters (from a binary file, say) shown as `\xNN`, so the
/// report can never drive the terminal; tabs stay.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            let _ = write!(o, "\\x{:02x}", u32::from(c));
        } else {
            o.push(c);
        }
    }
    std::borrow::Cow::Owned(o)
}

fn render_one(out: &mut String, d: &Diag, sources: &SourceMap) {
    let message = printable(&d.message);
    let Some(span) = &d.span else {
        let _ = writeln!(out, "keepalived: {}: {}", d.severity(), message);
        return;
    };
    let _ = writeln!(
        out,
        "{}:{}:{}: {}: {}",
        span.file,
        span.line,
        span.col,
        d.severity(),
        message
    );
    if let Some(text) = sources.line(&span.file, span.line) {
        let text = printable(&text).into_owned();
        let _ = writeln!(out, "{text}");
        let _ = writeln!(out, "{}^", caret_padding(&text, span.col));
    }
}

/// Blanks up to column `col` (1-based) of `text`, keeping tabs as tabs so the
/// caret lines up whatever the terminal's tab width.
fn caret_padding(text: &str, col: u32) -> String {
    text.chars()
        .take(col.saturating_sub(1) as usize)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect()
}

/// keepalived's own form, `(FILE: Line N) msg` (or the bare message).
pub fn keepalived_format(d: &Diag) -> String {
    d.to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::diag::{Category, Span};

    fn sources() -> SourceMap {
        let mut s = SourceMap::default();
        s.insert(Arc::from("k.conf"), "global_defs {\n\trouter_id  x y\n}\n");
        s
    }

    #[test]
    fn spanned_diag_shows_line_and_caret() {
        let d = Diag::new(
            Some(Span::new(Arc::from("k.conf"), 2, 13)),
            Category::UnknownKeyword,
            "Unknown keyword 'y'",
        );
        assert_eq!(
            render_diags(&[d], &sources()),
            "k.conf:2:13: error: Unknown keyword 'y'\n\trouter_id  x y\n\t           ^\n"
        );
    }

    #[test]
    fn severity_words_follow_category() {
        let span = Some(Span::new(Arc::from("k.conf"), 1, 1));
        let out = render_diags(
            &[
                Diag::new(span.clone(), Category::BadInterface, "a"),
                Diag::new(span.clone(), Category::Warning, "b"),
                Diag::new(span.clone(), Category::SecurityError, "c"),
                Diag::note(span, "d"),
            ],
            &sources(),
        );
        let heads: Vec<&str> = out.lines().filter(|l| l.starts_with("k.conf:")).collect();
        assert_eq!(
            heads,
            [
                "k.conf:1:1: fatal: a",
                "k.conf:1:1: warning: b",
                "k.conf:1:1: security: c",
                "k.conf:1:1: note: d"
            ]
        );
    }

    #[test]
    fn spanless_and_unknown_file() {
        let d1 = Diag::new(None, Category::Fatal, "No config files matched 'x'.");
        let d2 = Diag::info(Some(Span::new(Arc::from("other.conf"), 9, 4)), "hello");
        assert_eq!(
            render_diags(&[d1, d2], &sources()),
            "keepalived: fatal: No config files matched 'x'.\nother.conf:9:4: info: hello\n"
        );
    }

    #[test]
    fn keepalived_form() {
        let d = Diag::new(
            Some(Span::new(Arc::from("k.conf"), 2, 13)),
            Category::UnknownKeyword,
            "Unknown keyword 'y'",
        );
        assert_eq!(
            keepalived_format(&d),
            "(k.conf: Line 2) Unknown keyword 'y'"
        );
        let d = Diag::new(None, Category::Warning, "bare");
        assert_eq!(keepalived_format(&d), "bare");
    }

    #[test]
    fn render_uses_loaded_sources() {
        let loaded = Loaded {
            diags: vec![Diag::new(
                Some(Span::new(Arc::from("k.conf"), 3, 1)),
                Category::UnexpectedEob,
                "Extra '}' found",
            )],
            sources: sources(),
            ..Loaded::default()
        };
        assert_eq!(
            render(&loaded),
            "k.conf:3:1: error: Extra '}' found\n}\n^\n"
        );
    }
}
