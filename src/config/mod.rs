//! keepalived.conf: text in, typed model and diagnostics out. Pure: files and
//! host facts come through the `Source` and `Host` traits.

pub mod diag;
pub mod fake;
pub mod lexer;
pub mod source;
pub mod token;

use diag::Diag;
use lexer::{LexOptions, Lexed};
use source::{Host, Source};
use token::SourceMap;

/// Options from the command line that change how the configuration reads.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub lex: LexOptions,
}

/// The result of reading a configuration.
#[derive(Debug, Default)]
pub struct Loaded {
    pub diags: Vec<Diag>,
    pub sources: SourceMap,
    /// keepalived would have stopped parsing and exited with this code
    /// (2 for a keyword missing its parameter).
    pub aborted: Option<i32>,
    pub main_missing: bool,
}

/// Read and check a configuration the way `keepalived -t` does.
pub fn load(path: &str, src: &dyn Source, host: &dyn Host, opts: &LoadOptions) -> Loaded {
    let Lexed {
        lines: _,
        diags,
        sources,
        main_missing,
    } = lexer::lex(path, src, host, &opts.lex);
    Loaded {
        diags,
        sources,
        aborted: None,
        main_missing,
    }
}
