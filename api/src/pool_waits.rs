//! How long statements and transactions wait for a pooled database
//! connection, taken from the pool's own report of every acquire (sqlx's
//! `sqlx::pool::acquire` events, which carry `acquired_after_secs`).
//!
//! The pool reports through `tracing`, not to a handle of ours, so the
//! histogram is the process's (one pool per process); each server's metrics
//! registry shows it. [`layer`] must be part of the process's subscriber.

use std::sync::OnceLock;

use prometheus::{Histogram, HistogramOpts};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Where sqlx reports its acquires.
const TARGET: &str = "sqlx::pool::acquire";

/// The waits for a pooled connection, made by the first server's metrics.
static WAITS: OnceLock<Histogram> = OnceLock::new();

/// The histogram of waits, made on first use.
pub(crate) fn histogram() -> Result<Histogram, prometheus::Error> {
    if let Some(h) = WAITS.get() {
        return Ok(h.clone());
    }
    let opts = HistogramOpts::new(
        "shouhu_db_pool_acquire_seconds",
        "Time a statement or transaction waited for a pooled database connection (a busy pool shows here first)",
    )
    .buckets(vec![
        0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0,
    ]);
    let made = Histogram::with_opts(opts)?;
    Ok(WAITS.get_or_init(|| made).clone())
}

/// The subscriber layer that turns the pool's acquire events into the histogram;
/// it sees those events only, whatever the log filter.
pub fn layer<S: Subscriber + for<'span> LookupSpan<'span>>() -> impl Layer<S> {
    Waits.with_filter(Targets::new().with_target(TARGET, Level::TRACE))
}

struct Waits;

impl<S: Subscriber> Layer<S> for Waits {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut seconds = Seconds(None);
        event.record(&mut seconds);
        if let (Some(s), Some(waits)) = (seconds.0, WAITS.get()) {
            waits.observe(s);
        }
    }
}

struct Seconds(Option<f64>);

impl Visit for Seconds {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "acquired_after_secs" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
