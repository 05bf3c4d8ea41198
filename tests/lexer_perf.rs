//! Size check: a 10 MB configuration (500 vrrp_instance + 10,000
//! virtual_server blocks) must lex well under 100 ms in release mode.
//! `cargo test --release --test lexer_perf -- --ignored --nocapture`

use std::fmt::Write;
use std::time::Instant;

use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::lexer::{LexOptions, lex};

fn big_config() -> String {
    let mut s = String::with_capacity(11 << 20);
    s.push_str("global_defs {\n  router_id lb1 # comment\n}\n$VIP=10.0.0\n");
    for i in 0..500 {
        write!(
            s,
            "vrrp_instance VI_{i} {{\n  state BACKUP\n  interface eth0\n  virtual_router_id {}\n  priority 100\n  \
             advert_int 1\n  authentication {{\n    auth_type PASS\n    auth_pass secret\n  }}\n  \
             virtual_ipaddress {{\n    ${{VIP}}.{} dev eth0\n  }}\n  notify \"/usr/local/bin/notify.sh {i}\"\n}}\n",
            i % 255 + 1,
            i % 250 + 1
        )
        .unwrap();
    }
    let mut i = 0;
    while s.len() < 10 << 20 {
        write!(
            s,
            "virtual_server 192.168.{}.{} 80 {{\n  delay_loop 6\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n",
            i / 250 % 250,
            i % 250
        )
        .unwrap();
        for r in 0..6 {
            write!(
                s,
                "  real_server 10.1.{}.{r} 80 {{\n    weight 1\n    TCP_CHECK {{\n      connect_timeout 3\n    }}\n  }}\n",
                i % 250
            )
            .unwrap();
        }
        s.push_str("}\n");
        i += 1;
    }
    s
}

#[test]
#[ignore]
fn ten_megabytes() {
    let text = big_config();
    let src = MemSource::new().with("/k/big.conf", &text);
    let host = FakeHost::default();
    let t = Instant::now();
    let out = lex("/k/big.conf", &src, &host, &LexOptions::default());
    let dt = t.elapsed();
    println!(
        "{} bytes, {} lines -> {} logical lines in {dt:?}",
        text.len(),
        text.lines().count(),
        out.lines.len()
    );
    assert!(out.diags.is_empty());
}

#[test]
#[ignore]
fn baseline_costs() {
    let text = big_config();
    let t = Instant::now();
    let mut m = keepalived::config::token::SourceMap::default();
    m.insert("x".into(), &text);
    println!("sourcemap insert {:?}", t.elapsed());
    let t = Instant::now();
    let v: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split_ascii_whitespace().map(str::to_owned).collect())
        .collect();
    println!("naive split {:?} {}", t.elapsed(), v.len());
}
