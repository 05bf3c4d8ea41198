//! Configuration diagnostics: where a problem is, how bad it is, and the
//! `keepalived -t` exit code the whole set of problems yields.

use std::fmt;
use std::sync::Arc;

/// Location of a token: file, 1-based line and 1-based column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// File name as keepalived would print it (the path as given or as globbed).
    pub file: Arc<str>,
    pub line: u32,
    pub col: u32,
}

impl Span {
    pub fn new(file: Arc<str>, line: u32, col: u32) -> Self {
        Span { file, line, col }
    }
}

/// keepalived's `config_err_t`, in its order: `keepalived -t` keeps the
/// highest-valued category seen and maps it to an exit code
/// (`lib/parser.h`, `config_test_exit()` in `keepalived/core/main.c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    FileNotFound,
    BadInterface,
    Fatal,
    MultipleFiles,
    UnknownKeyword,
    UnexpectedBob,
    MissingBob,
    UnexpectedEob,
    MissingEob,
    UnmatchedQuote,
    MissingParameter,
    InvalidNumber,
    GeneralError,
    Warning,
    Deprecated,
    SecurityError,
}

/// How a diagnostic is presented and whether it counts for the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Counts for the `-t` verdict with the given keepalived category.
    Keepalived(Category),
    /// Logged by keepalived without affecting the verdict (its `log_message`).
    Info,
    /// Our own addition (for example "parsed but not acted on"): shown, never counted.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub span: Option<Span>,
    pub level: Level,
    pub message: String,
}

impl Diag {
    pub fn new(span: Option<Span>, category: Category, message: impl Into<String>) -> Self {
        Diag {
            span,
            level: Level::Keepalived(category),
            message: message.into(),
        }
    }
    pub fn info(span: Option<Span>, message: impl Into<String>) -> Self {
        Diag {
            span,
            level: Level::Info,
            message: message.into(),
        }
    }
    pub fn note(span: Option<Span>, message: impl Into<String>) -> Self {
        Diag {
            span,
            level: Level::Note,
            message: message.into(),
        }
    }

    /// The word printed before the message in `-t` output.
    pub fn severity(&self) -> &'static str {
        match self.level {
            Level::Keepalived(c) => match c {
                Category::FileNotFound | Category::BadInterface | Category::Fatal => "fatal",
                Category::Warning => "warning",
                Category::Deprecated => "deprecated",
                Category::SecurityError => "security",
                _ => "error",
            },
            Level::Info => "info",
            Level::Note => "note",
        }
    }
}

impl fmt::Display for Diag {
    /// keepalived's log form: `(FILE: Line N) message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            Some(s) => write!(f, "({}: Line {}) {}", s.file, s.line, self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Exit codes of `keepalived -t` (`KEEPALIVED_CHK_EXIT_*`).
pub mod exit {
    pub const OK: i32 = 0;
    /// A keyword that needs a parameter had none: keepalived stops parsing (`KEEPALIVED_EXIT_CONFIG`).
    pub const CONFIG: i32 = 2;
    pub const FATAL: i32 = 4;
    pub const ERRORS: i32 = 5;
    pub const SECURITY: i32 = 6;
}

/// The `-t` verdict for a set of diagnostics, as keepalived's `config_test_exit()`.
pub fn verdict(diags: &[Diag]) -> i32 {
    let worst = diags
        .iter()
        .filter_map(|d| match d.level {
            Level::Keepalived(c) => Some(c),
            _ => None,
        })
        .max();
    match worst {
        None => exit::OK,
        Some(Category::FileNotFound | Category::BadInterface | Category::Fatal) => exit::FATAL,
        Some(Category::SecurityError) => exit::SECURITY,
        Some(_) => exit::ERRORS,
    }
}
