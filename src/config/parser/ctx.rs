//! Parser state shared by all keyword handlers: the line cursor (with
//! keepalived's brace accounting), diagnostics, the model being built and the
//! host facts the handlers consult.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::config::diag::{Category, Diag, Span};
use crate::config::model::Config;
use crate::config::source::Host;
use crate::config::token::Line;

/// Where the parser's lines come from: the streaming lexer, or ready-made
/// lines in tests.
pub trait LineSource {
    fn next_line(&mut self) -> Option<Line>;
    /// Diagnostics the source produced since the last call.
    fn take_diags(&mut self) -> Vec<Diag> {
        Vec::new()
    }
    /// Once exhausted: what was read (files, flags).
    fn summary(&mut self) -> Option<ReadSummary> {
        None
    }
    /// Move the next lines into `out` (empty on entry; left empty at the
    /// end of input), then the diagnostics produced so far into `diags`. A
    /// source that reads ahead hands over a whole batch per call, so the
    /// parser pays one dynamic call per batch rather than two per line.
    fn next_lines(&mut self, out: &mut VecDeque<Line>, diags: &mut Vec<Diag>) {
        if let Some(l) = self.next_line() {
            out.push_back(l);
        }
        diags.append(&mut self.take_diags());
    }
}

/// What a finished read leaves besides lines and diagnostics.
#[derive(Debug, Default)]
pub struct ReadSummary {
    pub sources: crate::config::token::SourceMap,
    pub main_missing: bool,
    /// A checked include failed: keepalived exits with code 6.
    pub file_error: bool,
}

impl LineSource for crate::config::lexer::LineReader<'_> {
    fn next_line(&mut self) -> Option<Line> {
        crate::config::lexer::LineReader::next_line(self)
    }
    fn take_diags(&mut self) -> Vec<Diag> {
        crate::config::lexer::LineReader::take_diags(self)
    }
    fn summary(&mut self) -> Option<ReadSummary> {
        Some(self.summary())
    }
}

impl LineSource for std::vec::IntoIter<Line> {
    fn next_line(&mut self) -> Option<Line> {
        self.next()
    }
}

pub struct Parser<'a> {
    source: Box<dyn LineSource + 'a>,
    /// Lines taken from `source` and not yet read.
    pending: VecDeque<Line>,
    /// The keepalived process whose reading is being emulated (`pass::*`).
    pub pass: u8,
    /// Nesting level of the keyword being handled (0 = root).
    pub level: u32,
    /// A root block opened without `{`: keepalived's per-process readings
    /// of the file diverge, so the single combined pass is not enough.
    pub needs_passes: bool,
    /// keepalived's validation stopped early: it would not run this
    /// configuration (and the model is only partly checked).
    pub stopped: bool,
    /// The first complete read's summary.
    pub summary: Option<ReadSummary>,
    /// keepalived's `block_depth`: `{` lines seen minus `}` lines seen.
    block_depth: i64,
    pub diags: Vec<Diag>,
    pub cfg: Config,
    pub host: &'a dyn Host,
    /// keepalived would have exited here (a keyword missing its parameter).
    pub aborted: Option<i32>,
    /// A handler asked to skip the block that follows its keyword.
    pub skip_pending: bool,
    /// `-t`: keepalived's readers reject out-of-spec values it would accept
    /// with a warning when running.
    pub config_test: bool,
    last_span: Option<Span>,
    /// `vrrp_script` state between its keywords (keepalived's statics).
    pub script_user_set: bool,
    pub remove_script: bool,
    /// Where the first non-existent interface was named.
    pub nonexistent_if: Option<Span>,
    pub default_user: super::script_check::DefaultUser,
    /// Next automatic rule preference (keepalived counts down from 16384).
    pub next_rule_pref4: u32,
    pub next_rule_pref6: u32,
    /// iproute2's names, read when a route, rule or address first needs one.
    rt_names: Option<crate::config::rt_names::RtNames>,
    /// Interfaces already looked up: keepalived reads the interface list
    /// once, and hundreds of instances naming the same two interfaces should
    /// not cost a filesystem lookup each.
    interfaces: std::collections::HashMap<String, bool>,
}

impl<'a> Parser<'a> {
    /// A parser over ready-made lines (tests).
    pub fn from_lines(lines: Vec<Line>, host: &'a dyn Host, config_test: bool) -> Self {
        Self::new(Box::new(lines.into_iter()), host, config_test)
    }

    pub fn new(source: Box<dyn LineSource + 'a>, host: &'a dyn Host, config_test: bool) -> Self {
        Parser {
            source,
            pending: VecDeque::new(),
            pass: super::pass::ALL,
            level: 0,
            needs_passes: false,
            summary: None,
            stopped: false,
            block_depth: 0,
            diags: Vec::new(),
            cfg: Config::default(),
            host,
            aborted: None,
            skip_pending: false,
            config_test,
            last_span: None,
            script_user_set: false,
            remove_script: false,
            nonexistent_if: None,
            default_user: Default::default(),
            next_rule_pref4: 16384,
            next_rule_pref6: 16384,
            rt_names: None,
            interfaces: Default::default(),
        }
    }

    /// Whether interface `name` exists on the host, asked once per name.
    pub fn interface_exists(&mut self, name: &str) -> bool {
        if let Some(&known) = self.interfaces.get(name) {
            return known;
        }
        let known = self.host.interface_exists(name);
        self.interfaces.insert(name.to_owned(), known);
        known
    }

    /// iproute2's name tables (read from the host once).
    pub fn rt_names(&mut self) -> &crate::config::rt_names::RtNames {
        let host = self.host;
        self.rt_names
            .get_or_insert_with(|| crate::config::rt_names::RtNames::load(host))
    }

    /// Drop the line source (and so stop a reader thread feeding it).
    pub fn close_source(&mut self) {
        self.source = Box::new(Vec::new().into_iter());
        self.pending.clear();
    }

    /// Start reading the configuration again, as the next process would.
    pub fn rewind(&mut self, pass: u8, source: Box<dyn LineSource + 'a>) {
        self.source = source;
        self.pending.clear();
        self.block_depth = 0;
        self.pass = pass;
        self.skip_pending = false;
        self.last_span = None;
    }

    /// The next line, with keepalived's `read_line()` check for extra `}`.
    pub fn next_line(&mut self) -> Option<Line> {
        if self.pending.is_empty() {
            self.source.next_lines(&mut self.pending, &mut self.diags);
        }
        let Some(line) = self.pending.pop_front() else {
            if self.summary.is_none() {
                self.summary = self.source.summary();
            }
            return None;
        };
        // Reuse the file name already held when it is the same file: no
        // reference-count traffic per line.
        match &mut self.last_span {
            Some(last) if std::sync::Arc::ptr_eq(&last.file, &line.span.file) => {
                last.line = line.span.line;
                last.col = line.span.col;
            }
            last => *last = Some(line.span.clone()),
        }
        if line.words.len() == 1 {
            match line.words[0].text.as_str() {
                "{" if !line.words[0].quoted => self.block_depth += 1,
                "}" if !line.words[0].quoted => {
                    self.block_depth -= 1;
                    if self.block_depth < 0 {
                        self.error_at(&line, 0, Category::UnexpectedEob, "Extra '}' found");
                        self.block_depth = 0;
                    }
                }
                _ => {}
            }
        }
        Some(line)
    }

    /// Called once all input is consumed.
    pub fn finish_input(&mut self) {
        if self.block_depth > 0 {
            let msg = format!(
                "There are {} missing '}}'s or extra '{{'s",
                self.block_depth
            );
            let span = self.last_span.clone();
            self.diags.push(Diag::new(span, Category::MissingEob, msg));
        }
    }

    /// Span of the line being handled (the last one read).
    pub fn span(&self) -> Option<Span> {
        self.last_span.clone()
    }

    pub fn error_at(&mut self, line: &Line, word: usize, cat: Category, msg: impl Into<String>) {
        self.diags
            .push(Diag::new(Some(line.word_span(word)), cat, msg));
    }

    /// A `CONFIG_GENERAL_ERROR` on word `word` of `line`.
    pub fn err(&mut self, line: &Line, word: usize, msg: impl Into<String>) {
        self.error_at(line, word, Category::GeneralError, msg);
    }

    /// An error reported after parsing (no current line in keepalived), placed
    /// at the most relevant span we kept.
    pub fn err_span(&mut self, span: Option<Span>, cat: Category, msg: impl Into<String>) {
        self.diags.push(Diag::new(span, cat, msg));
    }

    pub fn info(&mut self, span: Option<Span>, msg: impl Into<String>) {
        self.diags.push(Diag::info(span, msg));
    }

    pub fn note(&mut self, span: Option<Span>, msg: impl Into<String>) {
        self.diags.push(Diag::note(span, msg));
    }

    /// keepalived's `strvec_slot()`: word `i`, or keepalived's "missing a
    /// parameter" error (after which keepalived exits with code 2).
    pub fn word<'l>(&mut self, line: &'l Line, i: usize) -> Option<&'l str> {
        if let Some(w) = line.words.get(i) {
            return Some(w.text.as_str());
        }
        let first = &line.words[0].text;
        let msg = if i > 0 && i - 1 < line.words.len() {
            format!(
                "*** Configuration line starting `{first}` is missing a parameter after keyword `{}` at word position {}",
                line.words[i - 1].text,
                i + 1
            )
        } else {
            format!(
                "*** Configuration line starting `{first}` is missing a parameter at word position {}",
                i + 1
            )
        };
        self.error_at(line, line.words.len() - 1, Category::MissingParameter, msg);
        self.aborted.get_or_insert(2);
        None
    }

    /// keepalived's `alloc_value_block()`: the lines of a `{ … }` value block
    /// following `line`, braces removed. Calls `f` for each line.
    pub fn value_block(&mut self, line: &Line, mut f: impl FnMut(&mut Self, &Line)) {
        if line.words.len() > 1 {
            let msg = format!(
                "Block {} has extra parameters {} ...",
                line.words[0].text, line.words[1].text
            );
            self.err(line, 1, msg);
        }
        let mut need_bob = true;
        while let Some(mut l) = self.next_line() {
            let mut words = std::mem::take(&mut l.words);
            if need_bob {
                need_bob = false;
                if words[0].text == "{" {
                    if words.len() == 1 {
                        continue;
                    }
                    words.remove(0);
                } else {
                    if self.level == 0 {
                        self.needs_passes = true;
                    }
                    let msg = format!(
                        "'{{' missing from beginning of block {}",
                        line.words[0].text
                    );
                    self.info(Some(l.span.clone()), msg);
                }
            }
            let mut had_eob = false;
            if words.last().is_some_and(|w| w.text == "}") {
                if words.len() == 1 {
                    break;
                }
                had_eob = true;
                words.pop();
            }
            if !words.is_empty() {
                l.words = words;
                f(self, &l);
            }
            if had_eob {
                break;
            }
        }
    }

    /// Words of a value block, flattened (keepalived's `read_value_block()`).
    pub fn value_block_words(&mut self, line: &Line) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        self.value_block(line, |_, l| {
            for i in 0..l.words.len() {
                out.push((l.words[i].text.to_string(), l.word_span(i)));
            }
        });
        out
    }

    /// keepalived's `skip_block(true)`: ignore the `{ … }` after this keyword.
    pub fn skip_block(&mut self) {
        self.skip_pending = true;
    }

    pub fn file_name(&self) -> Arc<str> {
        self.last_span
            .as_ref()
            .map(|s| s.file.clone())
            .unwrap_or_else(|| Arc::from(""))
    }
}
