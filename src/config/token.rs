//! The lexer's output: logical lines of words, each word with its column,
//! each line with its file and line number. Braces are lines of their own
//! (`{` or `}` as the single word), exactly as keepalived splits them.

use std::collections::HashMap;
use std::sync::Arc;

use super::diag::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with surrounding double quotes removed.
    pub text: compact_str::CompactString,
    /// 1-based column of the word's first character in the physical line
    /// (best effort after `$NAME` substitution).
    pub col: u32,
    /// The word was written in double quotes.
    pub quoted: bool,
}

/// The words of a line. Two stay inline: a third would make every `Line`
/// larger than the compiler moves inline, and lines are moved several
/// times between the reader and the grammar.
pub type Words = smallvec::SmallVec<[Word; 2]>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// File and line of the physical line; `col` is that of the first word.
    pub span: Span,
    /// Most lines have at most three words: they stay inline.
    pub words: Words,
    /// The logical line's text after comment removal and substitution, from
    /// the first word on: what keepalived re-tokenises for script strings
    /// (`alloc_strvec_quoted_escaped`). Inline up to 24 bytes, so most
    /// lines cost no allocation for it.
    pub raw: compact_str::CompactString,
}

impl Line {
    pub fn is_open_brace(&self) -> bool {
        self.words.len() == 1 && self.words[0].text == "{" && !self.words[0].quoted
    }
    pub fn is_close_brace(&self) -> bool {
        self.words.len() == 1 && self.words[0].text == "}" && !self.words[0].quoted
    }
    /// Span of word `i` (or of the line when out of range).
    pub fn word_span(&self, i: usize) -> Span {
        let mut s = self.span.clone();
        if let Some(w) = self.words.get(i) {
            s.col = w.col;
        }
        s
    }
}

/// Original text of every file read, for `-t`'s caret display. The bytes
/// are shared with the reader (no copy); line starts are found only when a
/// diagnostic asks for a line.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: HashMap<Arc<str>, FileText>,
    /// Files read in pieces whose text is not held: loaded again only
    /// when a diagnostic points into them ([`SourceMap::load_texts`]).
    unread: HashMap<Arc<str>, std::path::PathBuf>,
}

#[derive(Debug, Default, Clone)]
struct FileText {
    data: Arc<String>,
    starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceMap {
    pub fn insert(&mut self, name: Arc<str>, text: &str) {
        self.insert_text(name, Arc::new(text.to_owned()));
    }
    /// Remember where a file read in pieces is (see [`SourceMap::load_texts`]).
    pub fn insert_path(&mut self, name: Arc<str>, path: std::path::PathBuf) {
        self.unread.insert(name, path);
    }
    /// Read again the files remembered by [`SourceMap::insert_path`] that
    /// `needed` names (invalid UTF-8 replaced, as the reader does).
    pub fn load_texts(&mut self, src: &dyn super::source::Source, needed: impl Fn(&str) -> bool) {
        for (name, path) in std::mem::take(&mut self.unread) {
            if !needed(&name) {
                continue;
            }
            if let Ok(d) = src.read(&path) {
                let text = match String::from_utf8(d) {
                    Ok(t) => t,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                self.insert_text(name, Arc::new(text));
            }
        }
    }
    pub fn insert_text(&mut self, name: Arc<str>, data: Arc<String>) {
        self.files.insert(
            name,
            FileText {
                data,
                starts: Default::default(),
            },
        );
    }
    /// The physical line `line` (1-based) of `file`, without its newline.
    pub fn line(&self, file: &str, line: u32) -> Option<std::borrow::Cow<'_, str>> {
        let f = self.files.get(file)?;
        let starts = f.starts.get_or_init(|| {
            let mut v = vec![0];
            v.extend(
                f.data
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            v
        });
        let i = line.checked_sub(1)? as usize;
        let start = *starts.get(i)?;
        if start >= f.data.len() {
            return None;
        }
        let end = starts.get(i + 1).map_or(f.data.len(), |e| e - 1);
        let text = &f.data.as_bytes()[start..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        Some(String::from_utf8_lossy(text))
    }
}
