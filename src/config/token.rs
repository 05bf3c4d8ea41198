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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// File and line of the physical line; `col` is that of the first word.
    pub span: Span,
    pub words: Vec<Word>,
    /// The logical line's text after comment removal and substitution, from
    /// the first word on: what keepalived re-tokenises for script strings
    /// (`alloc_strvec_quoted_escaped`).
    pub raw: String,
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

/// Original text of every file read, for `-t`'s caret display.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: HashMap<Arc<str>, Vec<String>>,
}

impl SourceMap {
    pub fn insert(&mut self, name: Arc<str>, text: &str) {
        self.files
            .insert(name, text.lines().map(str::to_owned).collect());
    }
    /// The physical line `line` (1-based) of `file`.
    pub fn line(&self, file: &str, line: u32) -> Option<&str> {
        self.files
            .get(file)?
            .get(line.checked_sub(1)? as usize)
            .map(String::as_str)
    }
}
