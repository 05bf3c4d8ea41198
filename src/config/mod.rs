//! keepalived.conf: text in, typed model and diagnostics out. Pure: files and
//! host facts come through the `Source` and `Host` traits.

pub mod diag;
pub mod dump;
pub mod fake;
pub mod lexer;
pub mod model;
pub mod parser;
pub mod pipeline;
pub mod report;
pub mod rt_names;
pub mod source;
pub mod token;

use diag::Diag;
use lexer::LexOptions;
use source::{Host, Source};
use token::SourceMap;

/// Options from the command line that change how the configuration reads.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub lex: LexOptions,
    /// `-t`: apply keepalived's config-test strictness.
    pub config_test: bool,
}

/// The result of reading a configuration.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: model::Config,
    pub diags: Vec<Diag>,
    pub sources: SourceMap,
    /// keepalived would have stopped parsing and exited with this code
    /// (2 for a keyword missing its parameter).
    pub aborted: Option<i32>,
    pub main_missing: bool,
    /// keepalived would run this configuration: reading was not aborted and
    /// validation went to the end (the model is fully checked).
    pub runnable: bool,
}

/// Read and check a configuration the way `keepalived -t` does.
pub fn load(
    path: &str,
    src: &(dyn Source + Sync),
    host: &(dyn Host + Sync),
    opts: &LoadOptions,
) -> Loaded {
    std::thread::scope(|scope| {
        let make = || -> Box<dyn parser::ctx::LineSource + '_> {
            Box::new(pipeline::ThreadedReader::spawn(
                scope, path, src, host, &opts.lex,
            ))
        };
        let mut p = parser::run(host, opts.config_test, &make);
        // Dropping the source closes the channel, so a reader still running
        // ahead (the parse stopped early) ends before the scope does.
        p.close_source();
        let mut loaded = finish(p);
        // The files were read in pieces: the text of those a diagnostic
        // points into is read again for the report.
        let needed: std::collections::HashSet<std::sync::Arc<str>> = loaded
            .diags
            .iter()
            .filter_map(|d| d.span.as_ref().map(|s| s.file.clone()))
            .collect();
        loaded.sources.load_texts(src, |name| needed.contains(name));
        loaded
    })
}

/// Turn the parser's state into what callers get.
fn finish(mut p: parser::Parser<'_>) -> Loaded {
    let summary = p.summary.take().unwrap_or_default();
    // keepalived stops with exit code 6 when a checked include fails.
    let file_error = summary.file_error;
    let (sources, main_missing) = (summary.sources, summary.main_missing);
    let mut diags = std::mem::take(&mut p.diags);
    let aborted = if file_error { Some(6) } else { p.aborted };
    let runnable = aborted.is_none() && !p.stopped && !main_missing;
    let c = &p.cfg;
    if !main_missing
        && aborted.is_none()
        && c.vrrp_instances.is_empty()
        && c.virtual_servers.is_empty()
        && c.static_addresses.is_empty()
        && c.static_routes.is_empty()
        && c.static_rules.is_empty()
        && c.bfd_instances.is_empty()
    {
        // keepalived logs this when it starts; `-t` says it too (a note: the
        // verdict is unchanged), so an empty or wrong file does not pass
        // unnoticed.
        diags.push(diag::Diag::note(
            None,
            "Warning - keepalived has no configuration to run",
        ));
    }
    Loaded {
        runnable,
        config: p.cfg,
        diags,
        sources,
        aborted,
        main_missing,
    }
}
