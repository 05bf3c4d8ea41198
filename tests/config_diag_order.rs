//! The reader runs on its own thread and hands lines over in batches; its
//! diagnostics (quotes, includes) and the grammar's (unknown keywords) must
//! still come out in file order, as keepalived's single-threaded reading
//! reports them, however many lines a batch holds.

use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::{self, LoadOptions};

const MAIN: &str = "/etc/keepalived/keepalived.conf";

#[test]
fn reader_and_grammar_diagnostics_in_file_order() {
    // Far more lines than a batch, with a grammar complaint on the line
    // just before each reader complaint.
    let mut text = String::new();
    let mut expected = Vec::new();
    for i in 0..3000u32 {
        text.push_str(&format!("virtual_server_group G{i} {{\n}}\n"));
        if i % 97 == 0 {
            expected.push(format!("Unknown keyword 'bogus{i}'"));
            text.push_str(&format!("bogus{i}\n"));
            expected.push(format!("Unterminated quote 'notify \"x{i}'"));
            text.push_str(&format!("notify \"x{i}\n"));
        }
    }
    let src = MemSource::new().with(MAIN, text);
    let host = FakeHost::default();
    let mut opts = LoadOptions::default();
    opts.lex.config_id = host.config_id.clone();
    let loaded = config::load(MAIN, &src, &host, &opts);
    let got: Vec<String> = loaded
        .diags
        .iter()
        .map(|d| d.message.clone())
        .filter(|m| m.starts_with("Unknown keyword 'bogus") || m.starts_with("Unterminated"))
        .collect();
    assert_eq!(got, expected);
    let lines: Vec<u32> = loaded
        .diags
        .iter()
        .filter(|d| {
            d.message.starts_with("Unknown keyword 'bogus") || d.message.starts_with("Unterminated")
        })
        .map(|d| d.span.as_ref().expect("located").line)
        .collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
}
