//! The service's clock, injected so tests can move time (idle timeouts, lock windows).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use madoguchi_domain::jst;
use time::OffsetDateTime;

/// Where "now" comes from.
#[derive(Clone, Debug)]
pub enum Clock {
    /// The system clock.
    System,
    /// A clock that only moves when told to (tests).
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock starting at the current time.
    pub fn manual() -> Self {
        Clock::Manual(Arc::new(AtomicI64::new(jst::to_micros(
            OffsetDateTime::now_utc(),
        ))))
    }

    /// Now, as UTC microseconds since the epoch.
    pub fn now_micros(&self) -> i64 {
        match self {
            Clock::System => jst::to_micros(OffsetDateTime::now_utc()),
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Sets a manual clock to `micros` (no effect on the system clock).
    pub fn set_micros(&self, micros: i64) {
        if let Clock::Manual(t) = self {
            t.store(micros, Ordering::SeqCst);
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance_secs(&self, secs: i64) {
        if let Clock::Manual(t) = self {
            t.fetch_add(secs * 1_000_000, Ordering::SeqCst);
        }
    }
}
