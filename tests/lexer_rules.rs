//! keepalived 2.2.7 line-reader rules, each checked against `keepalived -t`
//! on Debian's 2.2.7 (see the comments for what the binary printed).

use keepalived::config::diag::{Category, Level};
use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::lexer::{IncludeChecks, LexOptions, Lexed, lex};

fn run_with(src: &MemSource, opts: &LexOptions) -> Lexed {
    lex("/k/main.conf", src, &FakeHost::default(), opts)
}

fn run(text: &str) -> Lexed {
    run_with(
        &MemSource::new().with("/k/main.conf", text),
        &LexOptions::default(),
    )
}

/// Lines as "LINE: word word" with quoted words in «».
fn lines(l: &Lexed) -> Vec<String> {
    l.lines
        .iter()
        .map(|l| {
            let w: Vec<_> = l
                .words
                .iter()
                .map(|w| {
                    if w.quoted {
                        format!("«{}»", w.text)
                    } else {
                        w.text.to_string()
                    }
                })
                .collect();
            format!("{}: {}", l.span.line, w.join(" "))
        })
        .collect()
}

fn diags(l: &Lexed) -> Vec<String> {
    l.diags
        .iter()
        .map(|d| {
            let lvl = match d.level {
                Level::Keepalived(c) => format!("{c:?}"),
                Level::Info => "Info".into(),
                Level::Note => "Note".into(),
            };
            let line = d.span.as_ref().map_or(0, |s| s.line);
            format!("{lvl}@{line}: {}", d.message)
        })
        .collect()
}

#[test]
fn comments_quotes_and_blank_lines() {
    let l = run("a b # c\r\n\n  ! all\nd \"e # f\" g ! h\nx\\#y \\!z\n\"q w\"r s\"t\"\n");
    assert_eq!(
        lines(&l),
        ["1: a b", "4: d «e # f» g", "5: x#y !z", "6: «q w» r s «t»"]
    );
    assert!(l.diags.is_empty());
    // Columns: words and line span are 1-based, leading blanks count.
    let l = run("   kw  \"v w\" z\n");
    let w = &l.lines[0].words;
    assert_eq!(
        (l.lines[0].span.col, w[0].col, w[1].col, w[2].col),
        (4, 4, 8, 14)
    );
    assert_eq!(l.lines[0].raw, "kw  \"v w\" z");
    assert_eq!(&*l.lines[0].span.file, "/k/main.conf");
}

#[test]
fn backslash_quirks() {
    // No line continuation: the backslash stays; a comment ending in one
    // leaves a lone backslash (2.2.7 reported Unknown keyword '\').
    let l = run("smtp_alert \\\n# comment \\\n");
    assert_eq!(lines(&l), ["1: smtp_alert\\", "2: \\"]);
}

#[test]
fn unterminated_and_unmatched_quotes() {
    let l = run("a \"b c\n");
    assert_eq!(
        diags(&l),
        [
            "GeneralError@1: Unterminated quote 'a \"b c'",
            "UnmatchedQuote@1: Unmatched quote: 'a \"b c'"
        ]
    );
    assert_eq!(lines(&l), ["1: a"]);
    // An escaped quote does not count for decomment but does for words.
    let l = run("a \\\" b\n");
    assert_eq!(diags(&l), ["UnmatchedQuote@1: Unmatched quote: 'a \\\" b'"]);
}

#[test]
fn brace_splitting() {
    let l = run("global_defs { router_id x }\nvrrp {\n}   \n a \"{\" b\n");
    assert_eq!(
        lines(&l),
        [
            "1: global_defs",
            "1: {",
            "1: router_id x",
            "1: }",
            "2: vrrp",
            "2: {",
            "3: }",
            "4: a «{» b"
        ]
    );
    let cols: Vec<_> = l.lines.iter().map(|l| l.span.col).collect();
    assert_eq!(cols, [1, 13, 15, 27, 1, 6, 1, 2]);
    assert!(l.lines[1].is_open_brace() && l.lines[3].is_close_brace());
}

#[test]
fn conditionals() {
    let l = run("@lb1 W1\n@^lb1 W2\n@lb2 W3\n@^lb2 W4\n@lb1\n@lb1   W6 x\n");
    assert_eq!(lines(&l), ["1: W1", "4: W4", "6: W6 x"]);
    assert_eq!(l.lines[2].span.col, 8);
    let opts = LexOptions {
        config_id: "lb2".into(),
        ..Default::default()
    };
    let l = run_with(
        &MemSource::new().with("/k/main.conf", "@lb1 W1\n@lb2 W3\n"),
        &opts,
    );
    assert_eq!(lines(&l), ["2: W3"]);
}

#[test]
fn definitions_and_substitution() {
    let l = run(concat!(
        "$A=foo\n",
        "$B=@lb1 bar$A\n",
        "$B\n",
        "$Ax\n",
        "$A,z\n",
        "${A}x\n",
        "${A }x\n",
        "w $UNDEF ${UNDEF}\n",
        "$E=\n",
        "e$E\n",
        "$A=re\n",
        "$A\n",
        "${_HASH}x ${_BANG}y\n",
        "$_INSTANCE\n",
    ));
    assert_eq!(
        lines(&l),
        [
            "3: barfoo",
            "4: $Ax",
            "5: foo,z",
            "6: foox",
            // `${A }` replaces `${A ` only: the `}` splits the line.
            "7: foo",
            "7: }",
            "7: x",
            // Undefined names stay; `${` is split at its braces like any text.
            "8: w $UNDEF $",
            "8: {",
            "8: UNDEF",
            "8: }",
            "10: e",
            "12: re",
            // `#x !y` after substitution is a comment: the line vanishes.
            "14: lb1",
        ]
    );
    assert!(l.diags.is_empty());
}

#[test]
fn substitution_result_is_recommented() {
    let l = run("$C=x # tail\n$D=a\\#b\nv $C\n$H=${_HASH}\nh $H more\n");
    assert_eq!(lines(&l), ["3: v x", "5: h"]);
}

#[test]
fn multiline_definitions() {
    let l = run("$M=P1 \\\n   P2 \\\nP3\n$M\nM $M\n$N=\\\n a \\\n b\nn $N\n");
    assert_eq!(
        lines(&l),
        [
            "4: P1", "4: P2", "4: P3", "5: M P1", "5: P2", "5: P3", "9: n a", "9: b"
        ]
    );
    // Mid-line a multi-line definition is not used.
    let l = run("$M=a \\\nb\nx $M y\n");
    assert_eq!(lines(&l), ["3: x $M y"]);
    // A blank line ends the definition.
    let l = run("$M=m1 \\\n  m2\n\nM $M\n");
    assert_eq!(lines(&l), ["4: M m1", "4: m2"]);
}

#[test]
fn self_reference_stops() {
    let l = run("$A=$A x\nv $A\n");
    assert_eq!(diags(&l).len(), 1);
    assert!(diags(&l)[0].contains("would exceed maximum line length"));
    let l = run("$A=$A\nv $A\n");
    assert_eq!(l.diags[0].level, Level::Note);
}

#[test]
fn random_and_pwd() {
    let opts = LexOptions {
        random_seed: Some(7),
        ..Default::default()
    };
    let src = MemSource::new().with("/k/main.conf", "${_RANDOM 1 5}\n${_RANDOM}\n${_PWD}\n");
    let a = run_with(&src, &opts);
    let b = run_with(&src, &opts);
    assert_eq!(lines(&a), lines(&b));
    let v: i64 = a.lines[0].words[0].text.parse().unwrap();
    assert!((1..=5).contains(&v));
    let v: i64 = a.lines[1].words[0].text.parse().unwrap();
    assert!((0..=32767).contains(&v));
    assert_eq!(a.lines[2].words[0].text, "/k");
}

#[test]
fn env_definition_is_opt_in() {
    let mut host = FakeHost::default();
    host.env.insert("HOME".into(), "/root".into());
    let src = MemSource::new().with("/k/main.conf", "x ${_ENV HOME}\n");
    // 2.2.7 has no _ENV: the braces split the line.
    let l = lex("/k/main.conf", &src, &host, &LexOptions::default());
    assert_eq!(lines(&l), ["1: x $", "1: {", "1: _ENV HOME", "1: }"]);
    let opts = LexOptions {
        env_definition: true,
        ..Default::default()
    };
    let l = lex("/k/main.conf", &src, &host, &opts);
    assert_eq!(lines(&l), ["1: x /root"]);
}

#[test]
fn seq_and_lst() {
    let l = run(concat!(
        "~SEQ(i, 3) S$i\n",
        "~SEQx(i, 9, 2, 12) H$i\n",
        "~LST({a,b}, {1,2}, {3}) L$a.$b\n",
        "~LST(v, x, y) M$v\n",
        "~SEQ(i, 1\n",
        "~SEQ(i, 5, 1, 1) bad\n",
        "~LST(v) bad\n",
        "$N=2\n",
        "~SEQ(i, $N) ~SEQ(j, 2) X$i $j\n",
    ));
    assert_eq!(
        lines(&l),
        [
            "1: S1", "1: S2", "1: S3", "2: H9", "2: Hb", "3: L$a.2", "3: L$a.", "4: Mx", "4: My",
            "9: X1 1", "9: X1 2", "9: X2 1", "9: X2 2",
        ]
    );
    assert_eq!(
        diags(&l),
        [
            "GeneralError@5: ~SEQ parameter strings too long '~SEQ(i, 1'",
            "GeneralError@5: Invalid ~SEQ specification '~SEQ(i, 1'",
            "GeneralError@6: Invalid ~SEQ values '~SEQ(i, 5, 1, 1) bad'",
            "GeneralError@6: Invalid ~SEQ specification '~SEQ(i, 5, 1, 1) bad'",
            "GeneralError@7: Invalid ~LST specification '~LST(v) bad'",
        ]
    );
}

#[test]
fn long_lines_and_nul() {
    // fgets() with a 1024-byte buffer: the first 1023 bytes are a line of
    // their own reported with the previous line number; a NUL cuts the line
    // and loses its newline, so later numbers are one lower (as 2.2.7 does).
    let mut t = b"L1\n".to_vec();
    t.extend(std::iter::repeat_n(b'A', 1030));
    t.extend(b" B\nL3\nN4\0X\nL5\n");
    let l = run_with(
        &MemSource::new().with("/k/main.conf", &t),
        &LexOptions::default(),
    );
    let got: Vec<_> = l
        .lines
        .iter()
        .map(|l| (l.span.line, l.words.len(), l.words[0].text.len()))
        .collect();
    assert_eq!(
        got,
        [
            (1, 1, 2),
            (1, 1, 1023),
            (2, 2, 7),
            (3, 1, 2),
            (3, 1, 2),
            (4, 1, 2)
        ]
    );
}

fn inc_src() -> MemSource {
    let mut s = MemSource::new()
        .with("/k/sub/i1.conf", "X1\n\nX3 ${_PWD}\n")
        .with("/k/sub/i2.conf", "Y1\n")
        .with("/k/sub/ex.conf", "Z1\n");
    s.executable.insert("/k/sub/ex.conf".into());
    s.dirs.insert("/k".into());
    s.dirs.insert("/k/sub".into());
    s.dirs.insert("/k/sub/d".into());
    s
}

#[test]
fn includes() {
    let main = concat!(
        "include sub/i*.conf\n",
        "A2\n",
        "include nonexist.conf\n",
        "include sub/none*.conf\n",
        "include nodir/none*.conf\n",
        "include sub/{i1,zz}.conf\n",
        "include sub/*\n",
        "includer nonexist.conf\n",
        "includem sub/none*.conf\n",
        "includew sub/none*.conf\n",
        "includeb sub/{i2,zz}.conf\n",
        "includea sub/{i2,zz}.conf\n",
        "include sub/{i2,i1}.conf\n",
        "include\n",
        "includex y\n",
    );
    let l = run_with(
        &inc_src().with("/k/main.conf", main),
        &LexOptions::default(),
    );
    assert_eq!(
        lines(&l),
        [
            "1: X1",
            "3: X3 /k/sub",
            "1: Y1",
            "2: A2",
            "1: X1",
            "3: X3 /k/sub",
            "1: X1",
            "3: X3 /k/sub",
            "1: Y1",
            "1: Y1",
            "1: X1",
            "3: X3 /k/sub",
            "14: include",
            "15: includex y",
        ]
    );
    let files: Vec<_> = l.lines.iter().map(|l| &*l.span.file).collect();
    assert_eq!(files[..3], ["sub/i1.conf", "sub/i1.conf", "sub/i2.conf"]);
    assert_eq!(
        diags(&l),
        [
            "Info@3: Config files missing 'nonexist.conf'.",
            "Info@5: Config files missing 'nodir/none*.conf'.",
            "Info@6: Some config files missing: \"sub/{i1,zz}.conf\".",
            "Info@7: Configuration file 'sub/d/' is a directory - skipping",
            "Info@7: Configuration file 'sub/ex.conf' is not a regular non-executable file - skipping",
            "Info@8: Config files missing 'nonexist.conf'.",
            "FileNotFound@10: No config files matched 'sub/none*.conf'.",
            "FileNotFound@11: Some config files missing: \"sub/{i2,zz}.conf\".",
            "FileNotFound@12: Some config files missing: \"sub/{i2,zz}.conf\".",
        ]
    );
    assert!(l.file_error());
    assert!(!l.main_missing);
    assert!(l.sources.line("sub/i1.conf", 3).is_some());
}

#[test]
fn include_checks_from_options_and_keyword() {
    let e = LexOptions {
        include_checks: IncludeChecks {
            read: true,
            match_: true,
            wildcard_match: true,
            brace_match: true,
        },
        ..Default::default()
    };
    let l = run_with(
        &inc_src().with("/k/main.conf", "include nonexist.conf\n"),
        &e,
    );
    assert_eq!(
        diags(&l),
        ["FileNotFound@1: Config files missing 'nonexist.conf'."]
    );
    // `include_check` in global_defs changes later includes.
    let main = "global_defs {\ninclude_check match\n}\ninclude nonexist.conf\n";
    let l = run_with(
        &inc_src().with("/k/main.conf", main),
        &LexOptions::default(),
    );
    assert_eq!(
        diags(&l),
        ["FileNotFound@4: Config files missing 'nonexist.conf'."]
    );
    assert_eq!(lines(&l)[2], "2: include_check match");
}

#[test]
fn include_produced_by_conditional_and_nested_relative() {
    let src = inc_src()
        .with("/k/main.conf", "@lb1 include sub/n.conf\n")
        .with("/k/sub/n.conf", "include i2.conf\nN ${_PWD}\n");
    let l = run_with(&src, &LexOptions::default());
    assert_eq!(lines(&l), ["1: Y1", "2: N /k/sub"]);
    assert_eq!(&*l.lines[0].span.file, "i2.conf");
}

#[test]
fn main_file_globs() {
    let h = FakeHost::default();
    let o = LexOptions::default();
    let mut src = MemSource::new()
        .with("/k/a1.conf", "A\n")
        .with("/k/a2.conf", "B\n");
    src.dirs.insert("/k".into());
    // keepalived warns and then reads every match.
    let l = lex("/k/a*.conf", &src, &h, &o);
    assert_eq!(lines(&l), ["1: A", "1: B"]);
    assert_eq!(
        diags(&l),
        [
            "MultipleFiles@0: WARNING, multiple configuration file matches of /k/a*.conf, starting with /k/a1.conf"
        ]
    );
    let l = lex("/k/none.conf", &src, &h, &o);
    assert!(l.main_missing && l.lines.is_empty());
    // Without -e this does not count (2.2.7 -t exits 0).
    assert_eq!(diags(&l), ["Info@0: Config files missing '/k/none.conf'."]);
    let l = lex("/k/none*.conf", &src, &h, &o);
    assert!(l.main_missing && l.diags.is_empty());
    let e = LexOptions {
        include_checks: IncludeChecks {
            wildcard_match: true,
            ..Default::default()
        },
        ..o
    };
    let l = lex("/k/none*.conf", &src, &h, &e);
    assert_eq!(
        diags(&l),
        ["FileNotFound@0: No config files matched '/k/none*.conf'."]
    );
    assert_eq!(l.diags[0].level, Level::Keepalived(Category::FileNotFound));
}
