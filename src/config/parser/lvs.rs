//! LVS sections: `virtual_server_group`, `virtual_server`, `real_server`,
//! the checkers and `SSL` (keepalived's `check/check_parser.c` and the
//! `check_*.c` keyword tables), plus the post-parse checks keepalived's
//! checker process makes (`check_validate_config()`).

use super::Kw;
use super::ctx::Parser;

/// Root keywords owned by this module.
pub static ROOT: &[Kw] = &[];

/// Checks keepalived makes once the whole file is read.
pub fn validate(p: &mut Parser) {
    let _ = p;
}
