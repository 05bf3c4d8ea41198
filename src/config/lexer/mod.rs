//! keepalived's line reader (`lib/parser.c` `read_line()` and friends),
//! reimplemented: comments, quotes, `@id` conditionals, `$NAME` definitions
//! and substitution, `~SEQ`/`~LST`, `include` globs, brace splitting. See
//! keepalived-reference.md section b.
//!
//! The target is keepalived **2.2.7** as shipped by Debian; where its code and
//! its documentation disagree the code wins (checked against the binary with
//! `keepalived -t`). The reader is a state machine with the same priorities as
//! `read_line()`: text left over after a brace, then pending `~SEQ`/`~LST`
//! repetitions, then lines of a multi-line definition being expanded, then the
//! next physical line of the innermost open file.
//!
//! Pure: files come only through [`Source`], host facts through [`Host`].

mod include;
mod seq;
mod text;

use std::collections::HashMap;

use compact_str::CompactString;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use super::diag::{Category, Diag, Span};
use super::source::{Host, Source};
use super::token::{Line, SourceMap};
use include::Match;
use seq::{Seq, SeqKind};
use text::{blanks, decomment, is_blank, split_brace, split_words, strtoul10};

/// Include checks (`-e`, `include_check`, `includer/m/w/b/a`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncludeChecks {
    pub read: bool,
    pub match_: bool,
    pub wildcard_match: bool,
    pub brace_match: bool,
}

/// keepalived's `include_t` bits.
const INCLUDE_R: u8 = 1;
const INCLUDE_M: u8 = 2;
const INCLUDE_W: u8 = 4;
const INCLUDE_B: u8 = 8;

impl IncludeChecks {
    fn bits(self) -> u8 {
        (self.read as u8 * INCLUDE_R)
            | (self.match_ as u8 * INCLUDE_M)
            | (self.wildcard_match as u8 * INCLUDE_W)
            | (self.brace_match as u8 * INCLUDE_B)
    }
}

#[derive(Debug, Clone, Default)]
pub struct LexOptions {
    /// Config id for `@id` lines and `${_INSTANCE}`; empty means
    /// `Host::config_id()`.
    pub config_id: String,
    /// Defaults for include checks (`-e` sets all).
    pub include_checks: IncludeChecks,
    /// Seed for `${_RANDOM}`; fixed in tests.
    pub random_seed: Option<u64>,
    /// Directory keepalived was started in (absolute). Only used to make
    /// `${_PWD}` absolute when the configuration path is relative, because
    /// keepalived's `${_PWD}` is `getcwd()`. Empty: relative paths stay relative.
    pub cwd: String,
    /// Expand `${_ENV NAME}` from [`Host::env`]. keepalived 2.2.7 has no such
    /// definition (the text is then split at its braces like any other), so
    /// this is off by default; later versions have it.
    pub env_definition: bool,
}

#[derive(Debug, Default)]
pub struct Lexed {
    pub lines: Vec<Line>,
    pub diags: Vec<Diag>,
    pub sources: SourceMap,
    /// The main file (glob) matched nothing or could not be read: keepalived
    /// stops after its check (daemon: exit 1; `-t`: verdict from the diags).
    ///
    /// When this is false, any `Category::FileNotFound` diagnostic is an
    /// include problem whose check was enabled (`includer`..., `-e`,
    /// `include_check`): keepalived then exits with `KEEPALIVED_EXIT_NO_CONFIG`
    /// (6) after reading, also under `-t` (see [`Lexed::file_error`]).
    pub main_missing: bool,
}

impl Lexed {
    /// keepalived's `had_config_file_error()`: an include problem was
    /// reported while its check was enabled.
    pub fn file_error(&self) -> bool {
        !self.main_missing
            && self
                .diags
                .iter()
                .any(|d| d.level == super::diag::Level::Keepalived(Category::FileNotFound))
    }
}

/// Read `main` (a glob) and everything it includes into logical lines.
pub fn lex(main: &str, src: &dyn Source, host: &dyn Host, opts: &LexOptions) -> Lexed {
    let mut r = LineReader::new(main, src, host, opts);
    let mut lines = Vec::new();
    while let Some(l) = r.next_line() {
        lines.push(l);
    }
    let mut out = r.finish();
    out.lines = lines;
    out.sources.load_texts(src, |_| true);
    out
}

/// The lexer as a pull parser: lines are produced one at a time, so a
/// configuration is never held in memory as tokens (the grammar consumes
/// each line as it comes, as keepalived's `read_line()` does).
pub struct LineReader<'a> {
    lx: Lexer<'a>,
    open: bool,
    /// A checked include failed (diagnostics are handed out as they come).
    file_error: bool,
}

impl<'a> LineReader<'a> {
    /// Open `main` (a glob); problems are in the diagnostics.
    pub fn new(main: &str, src: &'a dyn Source, host: &'a dyn Host, opts: &'a LexOptions) -> Self {
        let config_id = if opts.config_id.is_empty() {
            host.config_id()
        } else {
            opts.config_id.clone()
        };
        let mut lx = Lexer {
            src,
            host,
            opts,
            config_id,
            out: Lexed::default(),
            include_check: opts.include_checks.bits(),
            stack: Vec::new(),
            defs: std_definitions(),
            seqs: Vec::new(),
            ml_seq_depth: 0,
            ml_expansions: 0,
            seq_lines: 0,
            next_ptr: None,
            ml_stack: Vec::new(),
            residue: None,
            mdef: None,
            rng: opts.random_seed.unwrap_or(0x6b65_6570_616c_6976),
            depth: 0,
            last_root: String::new(),
            in_global_defs: false,
            last_span: None,
            plain: None,
        };
        let open = lx.open(main);
        LineReader {
            lx,
            open,
            file_error: false,
        }
    }

    /// The next logical line, or `None` at the end of all input.
    pub fn next_line(&mut self) -> Option<Line> {
        if !self.open {
            return None;
        }
        let l = self.lx.next_line();
        if l.is_none() {
            self.open = false;
        }
        l
    }

    /// Diagnostics produced so far (taken, so callers can keep order).
    pub fn take_diags(&mut self) -> Vec<Diag> {
        self.file_error |= self.lx.out.file_error();
        std::mem::take(&mut self.lx.out.diags)
    }

    /// What is left once reading is over: diagnostics, sources, flags.
    pub fn finish(self) -> Lexed {
        self.lx.out
    }

    /// Sources and flags, taken once reading is over.
    pub fn summary(&mut self) -> crate::config::parser::ctx::ReadSummary {
        crate::config::parser::ctx::ReadSummary {
            file_error: self.file_error || self.lx.out.file_error(),
            sources: std::mem::take(&mut self.lx.out.sources),
            main_missing: self.lx.out.main_missing,
        }
    }
}

/// keepalived's `MAXBUF`: `fgets()` reads at most 1023 bytes at a time and
/// substitution may not make a line reach 1024 bytes.
const MAXBUF: usize = 1024;
/// `add_seq()` substitutes its parameters in a 64-byte buffer.
const SEQ_BUF: usize = 64;
/// keepalived loops forever on a definition that expands to itself without
/// growing (`$A=$A`); we give up after this many substitutions in one line.
const MAX_SUBSTITUTIONS: usize = 10_000;
/// keepalived keeps one `FILE` open per include level and, when `fopen()`
/// fails with EMFILE (~1020 levels at the usual 1024 descriptors), skips the
/// include. We stop at this depth the same way.
const MAX_INCLUDE_DEPTH: usize = 1000;
/// Lines `~SEQ`/`~LST` may generate in one read, all together. keepalived
/// has no limit (`~SEQ(i,0,4294967295)` runs for hours; nested ones
/// multiply), and every generated line can cost a diagnostic in memory.
const MAX_SEQ_LINES: u64 = 100_000;

/// Predefined names whose value is computed at each use.
#[derive(Debug, Clone, Copy)]
enum StdFn {
    Pwd,
    Instance,
    Random,
}

#[derive(Debug)]
struct Def {
    value: String,
    multiline: bool,
    func: Option<StdFn>,
    /// Takes `${NAME 1 2}` numeric parameters (`_RANDOM`).
    params: bool,
}

fn std_definitions() -> HashMap<String, Def> {
    let d = |value: &str, func, params| Def {
        value: value.to_owned(),
        multiline: false,
        func,
        params,
    };
    HashMap::from([
        ("_PWD".to_owned(), d("", Some(StdFn::Pwd), false)),
        ("_INSTANCE".to_owned(), d("", Some(StdFn::Instance), false)),
        ("_RANDOM".to_owned(), d("", Some(StdFn::Random), true)),
        ("_HASH".to_owned(), d("#", None, false)),
        ("_BANG".to_owned(), d("!", None, false)),
    ])
}

/// Position in the value of a multi-line definition being expanded.
/// Holds its own copy of the value so a redefinition during the expansion
/// cannot pull the text away (in keepalived that is a use-after-free).
#[derive(Debug, Clone)]
struct MlPtr {
    text: Rc<str>,
    pos: usize,
}

/// One open `include` (or the main file): a glob's matches, read in turn.
/// keepalived's `include_file_t`.
struct Frame<'a> {
    matches: Vec<Match>,
    next: usize,
    pattern: String,
    include_type: u8,
    /// `include_check` when the glob was opened; restored at each file's end.
    sav_include_check: u8,
    num_matches: u32,
    /// Directory the pattern is relative to (keepalived's cwd when globbing).
    base: String,
    /// Current (or last) file's name as printed, and its line counter.
    name: Option<Arc<str>>,
    line_no: u32,
    /// Directory relative names in the current file resolve against.
    dir: String,
    /// The file's text not yet read, as UTF-8 (invalid bytes replaced),
    /// whole lines only until the end of the file: files are read in
    /// pieces, so a large one is never held in memory whole.
    data: String,
    /// The open file, until its end.
    input: Option<Box<dyn std::io::Read + 'a>>,
    /// Bytes read past the last complete line.
    partial: Vec<u8>,
    /// Identity of the current file (canonical path), to refuse a file that
    /// includes itself, directly or further down.
    key: Option<PathBuf>,
    pos: usize,
}

/// A reference `$NAME`, `${NAME}` or `${NAME params}` found in a line.
struct Ref {
    name: String,
    /// End (exclusive) of the text keepalived replaces.
    end: usize,
    params: Option<(usize, usize)>,
    env: Option<String>,
}

struct Lexer<'a> {
    src: &'a dyn Source,
    host: &'a dyn Host,
    opts: &'a LexOptions,
    config_id: String,
    out: Lexed,
    include_check: u8,
    stack: Vec<Frame<'a>>,
    defs: HashMap<String, Def>,
    seqs: Vec<Seq>,
    /// Pending repetitions that belong to an enclosing multi-line expansion
    /// wait until it is finished (keepalived's `multiline_seq_depth`).
    ml_seq_depth: usize,
    /// Multi-line definitions expanded since the last line read from a file
    /// or generated by `~SEQ`/`~LST` (see [`MAX_SUBSTITUTIONS`]).
    ml_expansions: usize,
    /// Lines generated by `~SEQ`/`~LST` so far (see [`MAX_SEQ_LINES`]).
    seq_lines: u64,
    next_ptr: Option<MlPtr>,
    ml_stack: Vec<(MlPtr, usize)>,
    residue: Option<(CompactString, u32)>,
    /// Name of the multi-line definition still being read.
    mdef: Option<String>,
    rng: u64,
    // Just enough block tracking to honour `include_check` in `global_defs`.
    depth: u32,
    last_root: String,
    in_global_defs: bool,
    last_span: Option<Span>,
    /// For the physical line just read by the fast path: whether it holds
    /// a `$` and a brace (`None`: unknown, check).
    plain: Option<(bool, bool)>,
}

fn strerror(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "No such file or directory".into(),
        PermissionDenied => "Permission denied".into(),
        IsADirectory => "Is a directory".into(),
        _ => e.to_string(),
    }
}

/// `base` joined with the directory part of `name` (keepalived chdir()s there).
fn dir_of(base: &str, name: &str) -> String {
    let Some(i) = name.rfind('/') else {
        return base.to_owned();
    };
    let d = if i == 0 { "/" } else { &name[..i] };
    if base.is_empty() || d.starts_with('/') {
        d.to_owned()
    } else {
        format!("{base}/{d}")
    }
}

/// Bytes asked of a file at a time.
const CHUNK: usize = 64 * 1024;

/// Make sure the frame's unread text holds a whole line, or the rest of
/// the file. Text is decoded a run of whole lines at a time: a `\n` never
/// belongs to a multi-byte sequence, so replacing invalid bytes line by
/// line gives the same text as decoding the whole file at once.
fn fill(f: &mut Frame<'_>) {
    // Until the end of the file the text ends with a newline, so any
    // unread text holds a whole line.
    if f.pos < f.data.len() {
        return;
    }
    let Some(input) = f.input.as_mut() else {
        return;
    };
    f.data.clear();
    f.pos = 0;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => 0,
        };
        if n == 0 {
            f.input = None;
            push_text(&mut f.data, &f.partial);
            f.partial = Vec::new();
            return;
        }
        let got = &buf[..n];
        if let Some(i) = memchr::memrchr(b'\n', got) {
            f.partial.extend_from_slice(&got[..=i]);
            push_text(&mut f.data, &f.partial);
            f.partial.clear();
            f.partial.extend_from_slice(&got[i + 1..]);
            return;
        }
        f.partial.extend_from_slice(got);
    }
}

/// Append bytes as text, invalid UTF-8 replaced (checking first is much
/// faster than the replacing decoder on the usual valid text).
fn push_text(data: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(t) => data.push_str(t),
        Err(_) => data.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// Lexically normalise an absolute path (`.` and `..` components).
fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Lexer<'_> {
    /// Check and open the main file; false when there is nothing to read.
    fn open(&mut self, main: &str) -> bool {
        if !self.check_conf_file(main) {
            self.out.main_missing = true;
            return false;
        }
        if !self.open_glob_file(main, INCLUDE_R | INCLUDE_M | INCLUDE_W) {
            self.file_config_error(INCLUDE_R, "Failed to open configuration file".into());
            self.out.main_missing = true;
            return false;
        }
        true
    }

    fn next_line(&mut self) -> Option<Line> {
        while let Some((buf, col)) = self.read_line() {
            let (words, ok) = split_words(&buf, col);
            let mut span = self.line_span();
            if !ok {
                span.col = col;
                self.out.diags.push(Diag::new(
                    Some(span.clone()),
                    Category::UnmatchedQuote,
                    format!("Unmatched quote: '{buf}'"),
                ));
            }
            let Some(first) = words.first() else { continue };
            span.col = first.col;
            let line = Line {
                span,
                words,
                raw: buf,
            };
            self.track_blocks(&line);
            return Some(line);
        }
        None
    }

    /// File and line of what is being read now.
    fn line_span(&mut self) -> Span {
        if let Some(f) = self.stack.last()
            && let Some(n) = &f.name
        {
            let s = Span::new(n.clone(), f.line_no, 1);
            // Same file as last time: update the numbers in place (no
            // second reference-count increment per line).
            match &mut self.last_span {
                Some(last) if Arc::ptr_eq(&last.file, n) => {
                    last.line = s.line;
                    last.col = s.col;
                }
                last => *last = Some(s.clone()),
            }
            return s;
        }
        self.last_span
            .clone()
            .unwrap_or_else(|| Span::new(Arc::from(""), 0, 1))
    }

    /// Where keepalived's `vreport_config_error()` says a problem is: the
    /// innermost file, or the including file while a glob has no file open.
    fn err_span(&self) -> Option<Span> {
        let mut i = self.stack.len().checked_sub(1)?;
        if self.stack[i].name.is_none() && i > 0 {
            i -= 1;
        }
        let f = &self.stack[i];
        f.name.as_ref().map(|n| Span::new(n.clone(), f.line_no, 1))
    }

    fn error(&mut self, cat: Category, msg: String) {
        let span = self.err_span();
        self.out.diags.push(Diag::new(span, cat, msg));
    }

    fn info(&mut self, msg: String) {
        let span = self.err_span();
        self.out.diags.push(Diag::info(span, msg));
    }

    /// keepalived's `file_config_error()`: fatal only when the include's own
    /// checks or the global ones ask for this kind of problem, otherwise
    /// printed without counting.
    fn file_config_error(&mut self, err_type: u8, msg: String) {
        let top = self.stack.last().map_or(0, |f| f.include_type);
        if (self.include_check | top) & err_type != 0 {
            self.error(Category::FileNotFound, msg);
        } else {
            self.info(msg);
        }
    }

    /// glob the pattern and report as `open_and_check_glob()` does.
    fn open_and_check_glob(
        &mut self,
        pattern: &str,
        include_type: u8,
        base: &str,
    ) -> Option<Vec<Match>> {
        let r = include::glob(self.src, base, pattern);
        if r.too_many {
            self.error(
                Category::GeneralError,
                format!(
                    "Config file pattern '{pattern}' expands to more than {} names - skipping",
                    include::MAX_BRACE_NAMES
                ),
            );
            return None;
        }
        let checks = self.include_check | include_type;
        if r.matches.is_empty() {
            if r.missing > 0 {
                let t = if include::have_brace(pattern) {
                    INCLUDE_B
                } else {
                    INCLUDE_M
                };
                self.file_config_error(t, format!("Config files missing '{pattern}'."));
            } else if r.have_wildcards && checks & INCLUDE_W != 0 {
                self.file_config_error(INCLUDE_W, format!("No config files matched '{pattern}'."));
            }
            return None;
        }
        if r.missing > 0 {
            self.file_config_error(
                INCLUDE_B,
                format!("Some config files missing: \"{pattern}\"."),
            );
            if checks & INCLUDE_B != 0 {
                return None;
            }
        }
        Some(r.matches)
    }

    /// keepalived's `check_glob_file()`.
    fn check_glob_file(&mut self, m: &Match) -> bool {
        if m.display.ends_with('/') {
            self.file_config_error(
                INCLUDE_R,
                format!(
                    "Configuration file '{}' is a directory - skipping",
                    m.display
                ),
            );
            return false;
        }
        match self.src.kind(&m.path) {
            Some(k) if k.is_regular && !k.is_executable && !k.is_dir => true,
            _ => {
                self.file_config_error(
                    INCLUDE_R,
                    format!(
                        "Configuration file '{}' is not a regular non-executable file - skipping",
                        m.display
                    ),
                );
                false
            }
        }
    }

    /// keepalived's `check_conf_file()`, run on the main file before reading:
    /// its messages come before (and some again during) the real read.
    fn check_conf_file(&mut self, main: &str) -> bool {
        let Some(matches) = self.open_and_check_glob(main, 0, "") else {
            return false;
        };
        let mut ret = true;
        let mut n = 0;
        for m in &matches {
            if !self.check_glob_file(m) {
                ret = false;
                continue;
            }
            if !self.src.can_read(&m.path) {
                self.error(
                    Category::FileNotFound,
                    format!("Unable to read configuration file {}", m.display),
                );
                ret = false;
                break;
            }
            n += 1;
        }
        if ret {
            if n > 1 {
                let msg = format!(
                    "WARNING, multiple configuration file matches of {main}, starting with {}",
                    matches[0].display
                );
                self.error(Category::MultipleFiles, msg);
            } else if n == 0 {
                self.error(
                    Category::FileNotFound,
                    format!("Unable to find configuration file {main}"),
                );
                ret = false;
            }
        }
        ret
    }

    /// keepalived's `open_glob_file()`: push a new include level and open its
    /// first usable file.
    fn open_glob_file(&mut self, pattern: &str, include_type: u8) -> bool {
        let base = self
            .stack
            .last()
            .map_or_else(String::new, |f| f.dir.clone());
        self.stack.push(Frame {
            matches: Vec::new(),
            next: 0,
            pattern: pattern.to_owned(),
            include_type,
            sav_include_check: self.include_check,
            num_matches: 0,
            base: base.clone(),
            name: None,
            line_no: 0,
            dir: base.clone(),
            key: None,
            data: String::new(),
            input: None,
            partial: Vec::new(),
            pos: 0,
        });
        let Some(matches) = self.open_and_check_glob(pattern, include_type, &base) else {
            self.stack.pop();
            return false;
        };
        let empty = matches.is_empty();
        if let Some(f) = self.stack.last_mut() {
            f.matches = matches;
        }
        if !self.open_conf_file() {
            if empty {
                self.file_config_error(INCLUDE_R, format!("{pattern} - no matching file"));
            }
            self.stack.pop();
            return false;
        }
        true
    }

    /// keepalived's `open_conf_file()`: the next readable match of the top glob.
    fn open_conf_file(&mut self) -> bool {
        loop {
            let Some(f) = self.stack.last_mut() else {
                return false;
            };
            let Some(m) = f.matches.get(f.next).cloned() else {
                return false;
            };
            f.next += 1;
            if !self.check_glob_file(&m) {
                continue;
            }
            // A file that includes itself: keepalived recurses until it runs
            // out of file descriptors (or forever when it includes itself
            // twice). We refuse the inner open instead.
            let key = self
                .host
                .canonicalize(&m.path)
                .unwrap_or_else(|| PathBuf::from(normalize(&m.path.to_string_lossy())));
            let n = self.stack.len();
            let problem = if self.stack[..n - 1]
                .iter()
                .any(|f| f.key.as_ref() == Some(&key))
            {
                Some("included recursively")
            } else if n > MAX_INCLUDE_DEPTH {
                Some("Too many open files")
            } else {
                None
            };
            if let Some(why) = problem {
                let msg = format!(
                    "Configuration file '{}' open problem ({why}) - skipping",
                    m.display
                );
                self.file_config_error(INCLUDE_R, msg);
                continue;
            }
            let input = match self.src.open(&m.path) {
                Ok(r) => r,
                Err(e) => {
                    let msg = format!(
                        "Configuration file '{}' open problem ({}) - skipping",
                        m.display,
                        strerror(&e)
                    );
                    self.file_config_error(INCLUDE_R, msg);
                    continue;
                }
            };
            let name: Arc<str> = Arc::from(m.display.as_str());
            self.out.sources.insert_path(name.clone(), m.path.clone());
            let f = self.stack.last_mut().expect("frame");
            f.num_matches += 1;
            f.dir = dir_of(&f.base, &m.display);
            f.name = Some(name);
            f.key = Some(key);
            f.line_no = 0;
            f.data.clear();
            f.input = Some(input);
            f.partial.clear();
            f.pos = 0;
            return true;
        }
    }

    /// keepalived's `get_next_file()`: finish the current file and move to the
    /// glob's next match or back to the including file. False at the very end.
    fn get_next_file(&mut self) -> bool {
        let Some(f) = self.stack.last_mut() else {
            return false;
        };
        self.include_check = f.sav_include_check;
        f.data = String::new();
        f.input = None;
        f.partial = Vec::new();
        if self.open_conf_file() {
            return true;
        }
        if let Some(f) = self.stack.last()
            && f.num_matches == 0
        {
            let msg = format!("No config files matched '{}'.", f.pattern);
            self.out.diags.push(Diag::info(None, msg));
        }
        self.stack.pop();
        !self.stack.is_empty()
    }

    /// The next non-empty decommented physical line, `fgets()`-style.
    fn read_physical(&mut self) -> Option<(CompactString, u32)> {
        loop {
            let f = self.stack.last_mut()?;
            fill(f);
            if f.pos >= f.data.len() {
                if self.get_next_file() {
                    continue;
                }
                return None;
            }
            let start = f.pos;
            let rest = &f.data.as_bytes()[f.pos..];
            let window = &rest[..rest.len().min(MAXBUF - 1)];
            let n = match memchr::memchr(b'\n', window) {
                Some(i) => i + 1,
                None => rest.len().min(MAXBUF - 1),
            };
            let mut chunk = &rest[..n];
            f.pos += n;
            self.ml_expansions = 0;
            // C strings end at a NUL: the rest of the line, and its newline (so
            // the line counter too), are lost, as in keepalived.
            if let Some(z) = chunk.iter().position(|&c| c == 0) {
                chunk = &chunk[..z];
            }
            // A chunk without a newline (line longer than 1023 bytes) does not
            // count as a line: keepalived reports it with the previous number.
            if chunk.last() == Some(&b'\n') {
                f.line_no += 1;
                chunk = &chunk[..chunk.len() - 1];
            }
            while let [rest @ .., b'\n' | b'\r'] = chunk {
                chunk = rest;
            }
            if chunk.is_empty() {
                self.end_multiline_def_on_blank();
                continue;
            }
            // Fast path for the common line without quotes, escapes or
            // comment characters: trim it and take it as it is.
            let lead = text::blanks(chunk, 0);
            let body = &chunk[lead..];
            // Lines are short: one plain scan beats several memchr calls. It
            // also tells read_line() whether `$` substitution and brace
            // splitting have anything to do.
            let (mut special, mut dollar, mut brace) = (false, false, false);
            for &c in body {
                match c {
                    b'"' | b'#' | b'!' | b'\\' => special = true,
                    b'$' => dollar = true,
                    b'{' | b'}' => brace = true,
                    _ => {}
                }
            }
            if !special {
                let end = body.len()
                    - body
                        .iter()
                        .rev()
                        .take_while(|&&c| text::is_blank(c))
                        .count();
                if end == 0 {
                    continue;
                }
                // The file is valid UTF-8 and the cuts are at ASCII bytes,
                // except a 1023-byte read that may split a character.
                let from = start + (body.as_ptr() as usize - rest.as_ptr() as usize);
                // Most lines fit in a CompactString inline: no allocation.
                let s = match f.data.get(from..from + end) {
                    Some(t) => CompactString::from(t),
                    None => CompactString::from(&*String::from_utf8_lossy(&body[..end])),
                };
                self.plain = Some((dollar, brace));
                return Some((s, 1 + lead as u32));
            }
            let mut s = String::from_utf8_lossy(chunk).into_owned();
            let d = decomment(&mut s);
            if let Some(t) = d.unterminated {
                self.error(Category::GeneralError, format!("Unterminated quote '{t}'"));
            }
            if !s.is_empty() {
                return Some((CompactString::from(s), 1 + d.leading as u32));
            }
        }
    }

    /// A blank physical line ends a multi-line definition.
    fn end_multiline_def_on_blank(&mut self) {
        if let Some(name) = self.mdef.take()
            && let Some(d) = self.defs.get_mut(&name)
            && d.value.is_empty()
        {
            d.multiline = false;
        }
    }

    /// keepalived's `read_line()`: the next logical line, or `None` at the end.
    fn read_line(&mut self) -> Option<(CompactString, u32)> {
        loop {
            let (mut buf, mut col) = if let Some(r) = self.residue.take() {
                r
            } else if !self.seqs.is_empty() && self.seqs.len() > self.ml_seq_depth {
                (CompactString::from(self.next_seq()), 1)
            } else if let Some(ml) = self.next_ptr.take() {
                let rest = ml.text.get(ml.pos..).unwrap_or("");
                match rest.find('\n') {
                    None => {
                        let line = CompactString::from(rest);
                        match self.ml_stack.pop() {
                            Some((p, depth)) => {
                                self.next_ptr = Some(p);
                                self.ml_seq_depth = depth;
                            }
                            None => self.ml_seq_depth = 0,
                        }
                        (line, 1)
                    }
                    Some(i) => {
                        let line = CompactString::from(&rest[..i]);
                        self.next_ptr = Some(MlPtr {
                            text: ml.text.clone(),
                            pos: ml.pos + i + 1,
                        });
                        (line, 1)
                    }
                }
            } else {
                self.plain = None;
                self.read_physical()?
            };
            let plain = self.plain.take();

            if let Some(name) = self.mdef.clone() {
                self.continue_definition(&name, buf.into_string());
                continue;
            }
            if buf.is_empty() {
                continue;
            }

            // Columns are only meaningful until a substitution rewrites the text.
            let mut substituted = false;
            loop {
                let mut recheck = false;
                if buf.starts_with('@') {
                    let ofs = if buf.as_bytes().get(1) == Some(&b'^') {
                        2
                    } else {
                        1
                    };
                    let rev = ofs == 2;
                    let Some(sp) = buf[ofs..].find([' ', '\t']).map(|i| i + ofs) else {
                        buf.clear();
                        break;
                    };
                    let matches = buf[ofs..sp] == *self.config_id;
                    if matches == rev {
                        buf.clear();
                        break;
                    }
                    let start = sp + blanks(buf.as_bytes(), sp);
                    buf.replace_range(..start, "");
                    if !substituted {
                        col += start as u32;
                    }
                }
                if buf.starts_with('$') && self.check_definition(&buf) {
                    buf.clear();
                    break;
                }
                if buf.starts_with("~SEQ") || buf.starts_with("~LST") {
                    self.add_seq_or_lst(&buf);
                    buf.clear();
                    break;
                }
                if buf.starts_with('~') {
                    break;
                }
                if plain.is_none_or(|(dollar, _)| dollar) && buf.contains('$') {
                    let mut ptr = self.next_ptr.take();
                    let mut text = std::mem::take(&mut buf).into_string();
                    let changed = self.replace_param(&mut text, MAXBUF, &mut ptr);
                    self.next_ptr = ptr;
                    if !changed {
                        buf = CompactString::from(text);
                        break;
                    }
                    substituted = true;
                    let d = decomment(&mut text);
                    buf = CompactString::from(text);
                    if let Some(t) = d.unterminated {
                        self.error(Category::GeneralError, format!("Unterminated quote '{t}'"));
                    }
                    recheck = buf.starts_with('@') || buf.contains('$');
                }
                if !recheck {
                    break;
                }
            }
            if buf.is_empty() || self.check_include(&buf) {
                continue;
            }
            // A substitution may have brought braces: only an untouched plain
            // line can skip the split.
            if (substituted || plain.is_none_or(|(_, brace)| brace))
                && let Some((r, off)) = split_brace(&mut buf)
            {
                self.residue = Some((r, col + off as u32));
            }
            return Some((buf, col));
        }
    }

    /// A further line of a multi-line `$NAME=` definition.
    fn continue_definition(&mut self, name: &str, buf: String) {
        let Some(def) = self.defs.get_mut(name) else {
            self.mdef = None;
            return;
        };
        let b = buf.as_bytes();
        let (piece, more) = if b.last() == Some(&b'\\') {
            let mut len = b.len() - 1;
            while len >= 1 && is_blank(b[len - 1]) {
                len -= 1;
            }
            (format!("{}\n", &buf[..len]), true)
        } else {
            if def.value.is_empty() {
                def.multiline = false;
            }
            (buf, false)
        };
        // keepalived does not add lines that are only a `\`.
        if piece.len() >= 2 || (!piece.is_empty() && !more) {
            def.value.push_str(&piece);
        }
        if !more {
            self.mdef = None;
        }
    }

    /// keepalived's `check_definition()`: `$NAME=VALUE`, a trailing `\`
    /// starting a multi-line value.
    fn check_definition(&mut self, buf: &str) -> bool {
        let b = buf.as_bytes();
        if b.len() < 2 || !(b[1].is_ascii_alphabetic() || b[1] == b'_') {
            return false;
        }
        let mut p = 2;
        while p < b.len() && b[p] != b'=' {
            if !(b[p].is_ascii_alphanumeric() || b[p] == b'_') {
                return false;
            }
            p += 1;
        }
        if p >= b.len() {
            return false;
        }
        let name = &buf[1..p];
        let v = &buf[p + 1 + blanks(b, p + 1)..];
        let (value, multiline) = if v.ends_with('\\') {
            let vb = v.as_bytes();
            let mut len = vb.len();
            while len >= 2 && is_blank(vb[len - 2]) {
                len -= 1;
            }
            (
                if len < 2 {
                    String::new()
                } else {
                    format!("{}\n", &v[..len - 1])
                },
                true,
            )
        } else {
            (v.to_owned(), false)
        };
        let def = self.defs.entry(name.to_owned()).or_insert(Def {
            value: String::new(),
            multiline: false,
            func: None,
            params: false,
        });
        def.value = value;
        def.func = None;
        def.multiline = multiline;
        if multiline {
            self.mdef = Some(name.to_owned());
        }
        true
    }

    /// keepalived's `set_definition()` (for `~SEQ`/`~LST` variables): keeps a
    /// multi-line flag an existing definition had.
    fn set_definition(&mut self, name: &str, value: String) {
        match self.defs.get_mut(name) {
            Some(d) => {
                d.value = value;
                d.func = None;
            }
            None => {
                self.defs.insert(
                    name.to_owned(),
                    Def {
                        value,
                        multiline: false,
                        func: None,
                        params: false,
                    },
                );
            }
        }
    }

    fn add_seq_or_lst(&mut self, buf: &str) {
        let (res, what) = if buf.as_bytes()[1] == b'S' {
            let mut multiline = false;
            let r = seq::parse_seq(buf, |s| {
                let mut ptr = None;
                self.replace_param(s, SEQ_BUF, &mut ptr);
                multiline = ptr.is_some();
                multiline
            });
            (r, "SEQ")
        } else {
            (seq::parse_lst(buf), "LST")
        };
        match res {
            Ok(s) => self.seqs.push(s),
            Err(extra) => {
                if let Some(m) = extra {
                    self.error(Category::GeneralError, m);
                }
                self.error(
                    Category::GeneralError,
                    format!("Invalid ~{what} specification '{buf}'"),
                );
            }
        }
    }

    /// The next line of the innermost pending `~SEQ`/`~LST`.
    fn next_seq(&mut self) -> String {
        self.ml_expansions = 0;
        self.seq_lines += 1;
        if self.seq_lines > MAX_SEQ_LINES {
            self.error(
                Category::GeneralError,
                format!("~SEQ/~LST would generate more than {MAX_SEQ_LINES} lines - stopping them"),
            );
            self.seqs.clear();
            self.ml_seq_depth = 0;
            return String::new();
        }
        let Some(s) = self.seqs.last_mut() else {
            return String::new();
        };
        let text = s.text.clone();
        let mut defs = Vec::new();
        let done = match &mut s.kind {
            SeqKind::Seq {
                var,
                next,
                step,
                last,
                hex,
            } => {
                let val = if *hex {
                    format!("{:x}", *next as u64)
                } else {
                    next.to_string()
                };
                defs.push((var.clone(), val));
                match next.checked_add(*step) {
                    Some(n) => {
                        *next = n;
                        (*step > 0 && n > *last) || (*step < 0 && n < *last)
                    }
                    None => true,
                }
            }
            SeqKind::Lst { params, sets, next } => {
                for (p, v) in params.iter().zip(&sets[*next]) {
                    defs.push((p.clone(), v.clone()));
                }
                *next += 1;
                *next >= sets.len()
            }
        };
        if done {
            self.seqs.pop();
        }
        for (n, v) in defs {
            self.set_definition(&n, v);
        }
        text
    }

    /// keepalived's `find_definition()` for a use at `b[at..]` (just after `$`).
    fn find_ref(&self, b: &[u8], at: usize) -> Option<Ref> {
        let braces = b.get(at) == Some(&b'{');
        let n0 = at + braces as usize;
        let c = *b.get(n0)?;
        if !(c.is_ascii_alphabetic() || c == b'_') {
            return None;
        }
        let mut k = n0 + 1;
        while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
            k += 1;
        }
        let name = String::from_utf8_lossy(&b[n0..k]).into_owned();
        let mut params = None;
        if braces {
            if self.opts.env_definition && name == "_ENV" {
                let mut q = k + blanks(b, k);
                let s = q;
                while q < b.len() && (b[q].is_ascii_alphanumeric() || b[q] == b'_') {
                    q += 1;
                }
                let var = String::from_utf8_lossy(&b[s..q]).into_owned();
                q += blanks(b, q);
                if b.get(q) != Some(&b'}') || var.is_empty() {
                    return None;
                }
                return Some(Ref {
                    name,
                    end: q + 1,
                    params: None,
                    env: Some(var),
                });
            }
            let mut q = k;
            let mut ps = None;
            let mut pe = 0;
            while q < b.len() && (b[q] == b' ' || b[q].is_ascii_digit()) {
                if b[q] != b' ' {
                    ps.get_or_insert(q);
                    pe = q;
                }
                q += 1;
            }
            if ps.is_some() && pe + 1 != q {
                return None;
            }
            if b.get(q) != Some(&b'}') {
                return None;
            }
            params = ps.map(|s| (s, pe));
        } else if k < b.len() && !matches!(b[k], b' ' | b'\t' | b',' | b')') {
            return None;
        }
        let allow_multiline = if braces {
            k + 1 == b.len()
        } else {
            k == b.len()
        };
        let def = self.defs.get(&name)?;
        if (def.multiline && !allow_multiline) || (params.is_some() && !def.params) {
            return None;
        }
        // keepalived replaces `${` + name + one more byte: for `${NAME }` that
        // leaves the `}` behind, as 2.2.7 does.
        let end = match params {
            Some((_, pe)) => pe + 2,
            None if braces => k + 1,
            None => k,
        };
        Some(Ref {
            name,
            end,
            params,
            env: None,
        })
    }

    /// keepalived's `replace_param()`: substitute definitions in place,
    /// rescanning each replacement (so values may use other names), stopping
    /// after a value that starts with `~`. Returns whether anything changed;
    /// `mptr` receives the rest of a multi-line value.
    fn replace_param(
        &mut self,
        buf: &mut String,
        max_len: usize,
        mptr: &mut Option<MlPtr>,
    ) -> bool {
        let mut cur = 0;
        let mut found = false;
        let mut local = mptr.clone();
        let mut count = 0;
        while let Some(off) = buf[cur..].find('$') {
            let pos = cur + off;
            if pos + 1 >= buf.len() {
                break;
            }
            let Some(r) = self.find_ref(buf.as_bytes(), pos + 1) else {
                cur = pos + 1;
                continue;
            };
            count += 1;
            if count > MAX_SUBSTITUTIONS {
                let span = self.err_span();
                self.out.diags.push(Diag::note(
                    span,
                    format!("Definitions on line '{buf}' never stop expanding"),
                ));
                return false;
            }
            let (multiline, func) = self
                .defs
                .get(&r.name)
                .map(|d| (d.multiline, d.func))
                .unwrap_or_default();
            if multiline {
                // A multi-line value whose last line uses it again expands
                // for ever (keepalived 2.2.7 loops; we kept a diagnostic per
                // line). Count expansions since the last line that came from
                // a file or a ~SEQ/~LST.
                self.ml_expansions += 1;
                if self.ml_expansions > MAX_SUBSTITUTIONS {
                    let span = self.err_span();
                    self.out.diags.push(Diag::note(
                        span,
                        format!("Multi-line definition ${} never stops expanding", r.name),
                    ));
                    return false;
                }
            }
            found = true;
            if multiline && let Some(p) = local.clone() {
                self.ml_stack.push((p, self.ml_seq_depth));
            }
            if multiline {
                self.ml_seq_depth = self.seqs.len();
            }
            let value = if let Some(var) = &r.env {
                self.host.env(var).unwrap_or_default()
            } else if let Some(f) = func {
                let v = self.call_std(f, r.params.map(|(s, e)| &buf.as_bytes()[s..=e]));
                if let Some(d) = self.defs.get_mut(&r.name) {
                    d.value.clone_from(&v);
                }
                v
            } else {
                self.defs
                    .get(&r.name)
                    .map(|d| d.value.clone())
                    .unwrap_or_default()
            };
            let replacing = if multiline {
                let i = value.find('\n').unwrap_or(value.len());
                local = Some(MlPtr {
                    text: Rc::from(value.as_str()),
                    pos: i + 1,
                });
                &value[..i]
            } else {
                &value[..]
            };
            if buf.len() - (r.end - pos) + replacing.len() >= max_len {
                self.info(format!(
                    "Parameter substitution on line '{buf}' would exceed maximum line length"
                ));
                return false;
            }
            buf.replace_range(pos..r.end, replacing);
            if value.trim_start_matches([' ', '\t']).starts_with('~') {
                break;
            }
        }
        if found {
            *mptr = local;
        }
        found
    }

    /// Values of the predefined names computed at use.
    fn call_std(&mut self, f: StdFn, params: Option<&[u8]>) -> String {
        match f {
            StdFn::Pwd => self.pwd(),
            StdFn::Instance => self.config_id.clone(),
            StdFn::Random => {
                let (mut min, mut max) = (0u64, 32767u64);
                if let Some(p) = params {
                    let (v, n) = strtoul10(p);
                    min = v;
                    if n + 1 < p.len() {
                        let (v, n2) = strtoul10(&p[n..]);
                        max = v;
                        if n + n2 != p.len() {
                            let t = String::from_utf8_lossy(p);
                            self.info(format!(
                                "Too many parameters or extra text for ${{_RANDOM {t}}}"
                            ));
                        }
                    }
                }
                let width = max.to_string().len();
                let r = self.random();
                let m = max.wrapping_sub(min).wrapping_add(1);
                let val = (if m == 0 { r } else { r % m }).wrapping_add(min) as i64;
                let mut s = val.to_string();
                s.truncate(width);
                s
            }
        }
    }

    /// glibc `random()`-like: 31 random bits, from a splitmix64 stream seeded
    /// by `LexOptions::random_seed`, so tests are reproducible.
    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) >> 33
    }

    /// keepalived's `${_PWD}` is `getcwd()`: the directory of the file being
    /// read when its path had a directory part, else the starting directory.
    fn pwd(&self) -> String {
        let d = self.stack.last().map_or("", |f| f.dir.as_str());
        let abs = if d.starts_with('/') {
            d.to_owned()
        } else if !self.opts.cwd.is_empty() {
            if d.is_empty() {
                self.opts.cwd.clone()
            } else {
                format!("{}/{d}", self.opts.cwd)
            }
        } else {
            return if d.is_empty() {
                ".".to_owned()
            } else {
                d.to_owned()
            };
        };
        let n = normalize(&abs);
        self.host
            .canonicalize(std::path::Path::new(&n))
            .map_or(n, |p| p.to_string_lossy().into_owned())
    }

    /// keepalived's `check_include()`: `include` + blank, or `includeX` +
    /// blank with X one of `rmwba`; the rest of the line is the pattern.
    fn check_include(&mut self, buf: &str) -> bool {
        let b = buf.as_bytes();
        if !buf.starts_with("include") || b.len() < 8 {
            return false;
        }
        let space = |c: Option<&u8>| c.is_some_and(|&c| text::is_white(c));
        let (p, t) = if space(b.get(7)) {
            (8, 0)
        } else if space(b.get(8)) && b"rmwba".contains(&b[7]) {
            let t = match b[7] {
                b'r' => INCLUDE_R,
                b'a' => INCLUDE_R | INCLUDE_M | INCLUDE_B | INCLUDE_W,
                b'w' => INCLUDE_R | INCLUDE_M | INCLUDE_W,
                b'm' => INCLUDE_R | INCLUDE_M,
                _ => INCLUDE_R | INCLUDE_B,
            };
            (9, t)
        } else {
            return false;
        };
        let p = p + blanks(b, p);
        let pattern = buf[p..].to_owned();
        self.open_glob_file(&pattern, t);
        true
    }

    /// Follow blocks just far enough to apply `include_check` in
    /// `global_defs` at the point keepalived would (it changes how later
    /// includes are checked). Its errors are the grammar's to report.
    fn track_blocks(&mut self, line: &Line) {
        if line.is_open_brace() {
            if self.depth == 0 {
                self.in_global_defs = self.last_root == "global_defs";
            }
            self.depth += 1;
        } else if line.is_close_brace() {
            self.depth = self.depth.saturating_sub(1);
        } else if self.depth == 0 {
            // Reuse the buffer: one root keyword per block.
            self.last_root.clear();
            self.last_root.push_str(&line.words[0].text);
            if line
                .words
                .last()
                .is_some_and(|w| w.text == "{" && !w.quoted)
            {
                self.in_global_defs = self.last_root == "global_defs";
                self.depth += 1;
            }
        } else if self.depth == 1 && self.in_global_defs && line.words[0].text == "include_check" {
            self.include_check_set(
                &line.words[1..]
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>(),
            );
        }
    }

    /// keepalived's `include_check_set()`.
    fn include_check_set(&mut self, words: &[&str]) {
        if words.is_empty() {
            self.include_check = INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;
            return;
        }
        for (i, w) in words.iter().enumerate() {
            let (mode, name) = match w.as_bytes().first() {
                Some(b'-') => (-1, &w[1..]),
                Some(b'+') => (1, &w[1..]),
                _ => {
                    if i != 0 {
                        continue;
                    }
                    self.include_check = 0;
                    (0, *w)
                }
            };
            let flag = match name {
                "read" => INCLUDE_R,
                "match" => INCLUDE_M,
                "wildcard_match" => INCLUDE_W,
                "brace_match" => INCLUDE_B,
                _ => 0,
            };
            if flag != 0 {
                match mode {
                    0 => self.include_check = INCLUDE_R | flag,
                    1 => self.include_check |= flag,
                    _ => self.include_check &= !flag,
                }
            }
        }
    }
}
