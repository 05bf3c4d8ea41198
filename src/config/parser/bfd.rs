//! `bfd_instance NAME { … }` (keepalived's `bfd/bfd_parser.c`): parsed and
//! kept; BFD sessions themselves are not run by this implementation yet.

use super::Kw;
use super::ctx::Parser;
use super::values::parse_ip;
use crate::config::diag::Category;
use crate::config::model::{BfdInstance, RawKeyword};
use crate::config::token::Line;

pub fn bfd_instance(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1) else { return };
    let name = name.to_owned();
    if name.len() >= 32 {
        p.err(line, 1, format!("Configuration error: BFD instance {name} name too long (maximum length is 31 characters) - ignoring"));
        p.skip_block();
        return;
    }
    if p.cfg.bfd_instances.iter().any(|b| b.name == name) {
        p.err(
            line,
            1,
            format!("Configuration error: BFD instance {name} already configured - ignoring"),
        );
        p.skip_block();
        return;
    }
    p.note(
        Some(line.span.clone()),
        "'bfd_instance' is accepted but has no effect: BFD sessions are not supported by this implementation",
    );
    p.cfg.bfd_instances.push(BfdInstance {
        name,
        span: Some(line.word_span(1)),
        ..Default::default()
    });
}

fn cur<'p>(p: &'p mut Parser) -> &'p mut BfdInstance {
    if p.cfg.bfd_instances.is_empty() {
        p.cfg.bfd_instances.push(BfdInstance::default());
    }
    p.cfg.bfd_instances.last_mut().expect("pushed")
}

fn addr(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1) else { return };
    let s = s.to_owned();
    let name = cur(p).name.clone();
    let neighbor = line.words[0].text.starts_with("neigh");
    match parse_ip(&s) {
        None => {
            let what = if neighbor { "neighbor" } else { "source" };
            p.err(line, 1, format!("Configuration error: BFD instance {name} has malformed {what} address {s}, ignoring instance"));
        }
        Some(ip) => {
            if neighbor {
                cur(p).neighbor = Some(ip);
            } else {
                cur(p).source = Some(ip);
            }
        }
    }
}

fn raw(p: &mut Parser, line: &Line) {
    let words = line.words.iter().map(|w| w.text.to_string()).collect();
    let span = line.span.clone();
    cur(p).raw.push(RawKeyword {
        section: "bfd_instance",
        words,
        span,
    });
}

fn raw1(p: &mut Parser, line: &Line) {
    if p.word(line, 1).is_some() {
        raw(p, line);
    }
}

pub fn bfd_end(p: &mut Parser) {
    let b = cur(p);
    if b.neighbor.is_none() {
        let name = b.name.clone();
        let span = p.span();
        p.err_span(span, Category::GeneralError, format!("Configuration error: BFD instance {name} has no neighbor address set, disabling instance"));
        p.cfg.bfd_instances.pop();
    }
}

pub static BFD_INSTANCE: &[Kw] = &[
    Kw::new("source_ip", addr),
    Kw::new("neighbor_ip", addr),
    Kw::new("neighbour_ip", addr),
    Kw::new("min_rx", raw1),
    Kw::new("min_tx", raw1),
    Kw::new("idle_tx", raw1),
    Kw::new("multiplier", raw1),
    Kw::new("passive", raw),
    Kw::new("ttl", raw1),
    Kw::new("hoplimit", raw1),
    Kw::new("max_hops", raw1),
    Kw::new("vrrp", raw),
    Kw::new("checker", raw),
    Kw::new("weight", raw1),
];
