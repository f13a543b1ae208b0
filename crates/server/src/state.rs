//! The application state every handler and service function receives.

use std::ops::Deref;
use std::sync::Arc;

use madoguchi_domain::{HistoryArea, Outcome, PasswordPolicy};
use madoguchi_store::{HistoryDraft, Store};

use crate::clock::Clock;
use crate::config::Config;
use crate::passwords::PasswordHasherPool;
use crate::seal::Seal;
use crate::web::client::{ClientInfo, TrustedProxies};
use crate::web::cookies::CookieSpec;
use crate::web::limits::Limits;

/// Shared services: cheap to clone, no global state.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

/// What [`AppState`] holds.
pub struct Services {
    /// The whole store. The areas of the manual never touch it: they reach it through the
    /// scoped handles of `web::scope`, which the actor types hand out.
    pub store: Arc<dyn Store>,
    pub config: Config,
    pub policy: PasswordPolicy,
    pub clock: Clock,
    pub hasher: PasswordHasherPool,
    pub cookies: CookieSpec,
    /// The PDF font (IPAex Gothic), parsed once.
    pub pdf_font: krilla::text::Font,
    /// This database holds the demo data: every page shows 「デモ環境」.
    pub demo: bool,
    pub limits: Limits,
    pub trusted_proxies: TrustedProxies,
    /// Seals the token secrets (key outside the database).
    pub seal: Seal,
    /// The 操作履歴's key (signs the record of its verification).
    pub history_key: madoguchi_store::HistoryKey,
    /// The bank's CA at work (電子証明書), when it was created in the data directory.
    pub pki: Option<Arc<crate::certificates::pki::Pki>>,
}

impl Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl axum::extract::FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }

    /// Now, as UTC microseconds.
    pub fn now(&self) -> i64 {
        self.clock.now_micros()
    }

    /// A 操作履歴 entry for `client`, timed now, with no company or user yet.
    pub fn draft(&self, client: &ClientInfo, area: HistoryArea, operation: &str) -> HistoryDraft {
        HistoryDraft {
            occurred_at: self.now(),
            company_id: None,
            user_id: None,
            login_id: String::new(),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            peer: client.peer.clone(),
            area,
            operation: operation.to_owned(),
            outcome: Outcome::Ok,
            error_code: None,
            details: serde_json::json!({}),
        }
    }

    pub fn idle_limit_micros(&self) -> i64 {
        i64::from(self.config.session_idle_minutes) * 60 * 1_000_000
    }

    pub fn absolute_limit_micros(&self) -> i64 {
        i64::from(self.config.session_absolute_hours) * 3600 * 1_000_000
    }
}
