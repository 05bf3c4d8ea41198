//! Interim console logger (`-l`): keepalived's console line format on
//! stderr. To be replaced by `crate::log`.

use std::io::Write;

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

struct Console;

struct Msg(String);

impl Visit for Msg {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Console {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut m = Msg(String::new());
        event.record(&mut m);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| format!("{}.{:03}", d.as_secs(), d.subsec_millis()))
            .unwrap_or_default();
        let _ = writeln!(std::io::stderr(), "{now}: {}", m.0);
    }
}

pub fn init() {
    let _ = tracing_subscriber::registry().with(Console).try_init();
}
