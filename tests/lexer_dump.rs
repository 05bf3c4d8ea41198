//! Manual comparison aid, not a unit test: `LEXER_DIR=DIR LEXER_DUMP=FILE
//! cargo test --test lexer_dump -- --ignored --nocapture` prints what the
//! lexer makes of a real file (from DIR, as keepalived would run there), to set
//! beside `keepalived -t -f FILE` output.

use keepalived::config::lexer::{LexOptions, lex};
use keepalived::sys::host::{FsSource, LiveHost};

#[test]
#[ignore]
fn dump() {
    let Ok(file) = std::env::var("LEXER_DUMP") else {
        return;
    };
    if let Ok(dir) = std::env::var("LEXER_DIR") {
        std::env::set_current_dir(dir).unwrap();
    }
    let host = LiveHost {
        config_id: std::env::var("LEXER_ID").ok(),
    };
    let opts = LexOptions {
        cwd: std::env::current_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        ..Default::default()
    };
    let out = lex(&file, &FsSource, &host, &opts);
    for d in &out.diags {
        println!("DIAG {:?} {d}", d.level);
    }
    for l in &out.lines {
        let w: Vec<_> = l
            .words
            .iter()
            .map(|w| format!("{}@{}{}", w.text, w.col, if w.quoted { "q" } else { "" }))
            .collect();
        println!("({}: Line {}) {}", l.span.file, l.span.line, w.join(" | "));
    }
    println!(
        "main_missing={} file_error={}",
        out.main_missing,
        out.file_error()
    );
}
