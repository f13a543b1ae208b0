//! Rate limits (governor's GCRA, keyed) and the bound on what unauthenticated clients can
//! make the 操作履歴 record.
//!
//! - ログイン: per client address and per login ID;
//! - 確認用パスワード: per user and per client address;
//! - the answer 「ログインIDは既に登録されています」: per administrator.
//!
//! A refused request gets 429 with `Retry-After`. Refusals of unauthenticated clients are
//! written one by one only up to a deployment-wide budget per minute; beyond it, and for
//! every 429, they are counted and written as one summary entry per minute, so an attacker
//! cannot grow the 操作履歴 without bound. Counts live in this process: behind a load
//! balancer each app server limits on its own (the lock-outs are in the database and exact).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use madoguchi_domain::{Error, HistoryArea};
use madoguchi_store::{HistoryDraft, Store};

use crate::clock::Clock;
use crate::config::Config;

impl GovernorClock for Clock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(
            u64::try_from(self.now_micros())
                .unwrap_or(0)
                .saturating_mul(1000),
        )
    }
}

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, Clock, NoOpMiddleware<Nanos>>;
type Direct = RateLimiter<
    governor::state::NotKeyed,
    governor::state::InMemoryState,
    Clock,
    NoOpMiddleware<Nanos>,
>;

/// A client address as a rate-limit key: IPv4 as is, IPv6 by its /64 (one subscriber).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(ip: &str) -> Self {
        match ip.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => {
                let mut s = v6.segments();
                s[4..].fill(0);
                AddressKey(IpAddr::V6(s.into()))
            }
            Ok(v4) => AddressKey(v4),
            Err(_) => AddressKey(IpAddr::from([0, 0, 0, 0])),
        }
    }
}

/// `n` per minute with a burst of `n`.
fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// `n` per hour with a burst of `n`.
fn per_hour(n: u32) -> Quota {
    Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// What was refused without being written one by one, per (操作内容, code, address).
type Counted = BTreeMap<(String, String, String), u64>;

/// Every limit of the deployment.
pub struct Limits {
    clock: Clock,
    login_by_address: Keyed<AddressKey>,
    login_by_id: Keyed<String>,
    confirmation_by_user: Keyed<i64>,
    confirmation_by_address: Keyed<AddressKey>,
    otp_by_user: Keyed<i64>,
    otp_by_address: Keyed<AddressKey>,
    taken_by_user: Keyed<i64>,
    /// Administrators who used up their "login ID taken" answers, until when (µs).
    taken_blocked: Mutex<BTreeMap<i64, i64>>,
    unauthenticated_entries: Direct,
    counted: Mutex<Counted>,
}

/// Distinct addresses kept per summary before the rest are counted together.
const MAX_COUNTED_KEYS: usize = 1000;

impl Limits {
    pub fn new(config: &Config, clock: Clock) -> Self {
        let l = config;
        Self {
            login_by_address: Keyed::dashmap_with_clock(
                per_minute(l.login_per_address_per_minute),
                clock.clone(),
            ),
            login_by_id: Keyed::dashmap_with_clock(
                per_minute(l.login_per_id_per_minute),
                clock.clone(),
            ),
            confirmation_by_user: Keyed::dashmap_with_clock(
                per_minute(l.confirmation_per_user_per_minute),
                clock.clone(),
            ),
            confirmation_by_address: Keyed::dashmap_with_clock(
                per_minute(l.confirmation_per_address_per_minute),
                clock.clone(),
            ),
            otp_by_user: Keyed::dashmap_with_clock(
                per_minute(l.otp_per_user_per_minute),
                clock.clone(),
            ),
            otp_by_address: Keyed::dashmap_with_clock(
                per_minute(l.otp_per_address_per_minute),
                clock.clone(),
            ),
            taken_by_user: Keyed::dashmap_with_clock(
                per_hour(l.login_id_taken_per_hour),
                clock.clone(),
            ),
            taken_blocked: Mutex::new(BTreeMap::new()),
            unauthenticated_entries: RateLimiter::direct_with_clock(
                per_minute(l.unauthenticated_entries_per_minute),
                clock.clone(),
            ),
            counted: Mutex::new(BTreeMap::new()),
            clock,
        }
    }

    fn refusal<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: &Keyed<K>,
        key: &K,
    ) -> Result<(), Error> {
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            Error::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// One login attempt from `address` for the typed login ID (its lookup key).
    pub fn login(&self, address: &str, login_key: &str) -> Result<(), Error> {
        self.refusal(&self.login_by_address, &AddressKey::of(address))?;
        self.refusal(&self.login_by_id, &login_key.to_owned())
    }

    /// One 確認用パスワード attempt by `user_id` from `address`.
    pub fn confirmation(&self, user_id: i64, address: &str) -> Result<(), Error> {
        self.refusal(&self.confirmation_by_user, &user_id)?;
        self.refusal(&self.confirmation_by_address, &AddressKey::of(address))
    }

    /// One ワンタイムパスワード attempt by `user_id` from `address` (at login or at 実行).
    pub fn otp(&self, user_id: i64, address: &str) -> Result<(), Error> {
        self.refusal(&self.otp_by_user, &user_id)?;
        self.refusal(&self.otp_by_address, &AddressKey::of(address))
    }

    /// Refused while `user_id` has used up their "login ID taken" answers.
    pub fn taken_gate(&self, user_id: i64) -> Result<(), Error> {
        let now = self.clock.now_micros();
        let blocked = self
            .taken_blocked
            .lock()
            .map(|b| b.get(&user_id).copied())
            .unwrap_or(None);
        match blocked {
            Some(until) if until > now => Err(Error::LoginIdChecksThrottled),
            _ => Ok(()),
        }
    }

    /// Counts one "login ID taken" answer for `user_id`; false when it must not be given
    /// (the answers are used up, and every registration is refused for a while).
    pub fn taken_answer(&self, user_id: i64) -> bool {
        match self.taken_by_user.check_key(&user_id) {
            Ok(_) => true,
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let until = self.clock.now_micros()
                    + i64::try_from(wait.as_micros()).unwrap_or(i64::MAX / 2);
                if let Ok(mut b) = self.taken_blocked.lock() {
                    b.insert(user_id, until);
                }
                false
            }
        }
    }

    /// Records `entry`, a refusal of an unauthenticated client: written now while the
    /// deployment's budget lasts, else counted into the next summary.
    pub async fn record_unauthenticated(
        &self,
        store: &dyn Store,
        entry: HistoryDraft,
    ) -> Result<(), madoguchi_store::StoreError> {
        if self.unauthenticated_entries.check().is_ok() {
            store.append_history(entry).await.map(|_| ())
        } else {
            self.count(&entry);
            Ok(())
        }
    }

    /// Counts a refusal (a 429, or one beyond the budget) for the next summary.
    pub fn count(&self, entry: &HistoryDraft) {
        let Ok(mut counted) = self.counted.lock() else {
            return;
        };
        let address = if counted.len() < MAX_COUNTED_KEYS {
            entry.ip.clone()
        } else {
            "その他".to_owned()
        };
        let key = (
            entry.operation.clone(),
            entry.error_code.clone().unwrap_or_default(),
            address,
        );
        *counted.entry(key).or_insert(0) += 1;
    }

    /// The summary entries of what was counted since the last call (one per 操作内容 and
    /// code, with the count per address), emptying the counts.
    pub fn summaries(&self, now: i64) -> Vec<HistoryDraft> {
        let counted = match self.counted.lock() {
            Ok(mut c) => std::mem::take(&mut *c),
            Err(_) => return Vec::new(),
        };
        let mut grouped: BTreeMap<(String, String), BTreeMap<String, u64>> = BTreeMap::new();
        for ((operation, code, address), n) in counted {
            *grouped
                .entry((operation, code))
                .or_default()
                .entry(address)
                .or_insert(0) += n;
        }
        grouped
            .into_iter()
            .map(|((operation, code), by_address)| {
                let total: u64 = by_address.values().sum();
                HistoryDraft {
                    occurred_at: now,
                    company_id: None,
                    user_id: None,
                    login_id: String::new(),
                    ip: String::new(),
                    user_agent: String::new(),
                    peer: String::new(),
                    area: HistoryArea::Auth,
                    operation: "要求の集約記録".to_owned(),
                    outcome: madoguchi_domain::Outcome::Error,
                    error_code: Some(code),
                    details: serde_json::json!({
                        "refused": operation, "count": total, "by_address": by_address,
                    }),
                }
            })
            .collect()
    }

    /// Forgets keys whose limits have recovered (called periodically, bounds memory).
    pub fn forget_idle(&self) {
        self.login_by_address.retain_recent();
        self.login_by_id.retain_recent();
        self.confirmation_by_user.retain_recent();
        self.confirmation_by_address.retain_recent();
        self.otp_by_user.retain_recent();
        self.otp_by_address.retain_recent();
        self.taken_by_user.retain_recent();
        let now = self.clock.now_micros();
        if let Ok(mut b) = self.taken_blocked.lock() {
            b.retain(|_, until| *until > now);
        }
    }
}

/// How often the summaries are written and idle keys forgotten.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        assert_eq!(
            AddressKey::of("2001:db8:1:2:aaaa::1"),
            AddressKey::of("2001:db8:1:2:bbbb::2")
        );
        assert_ne!(
            AddressKey::of("2001:db8:1:2::1"),
            AddressKey::of("2001:db8:1:3::1")
        );
        assert_ne!(AddressKey::of("192.0.2.1"), AddressKey::of("192.0.2.2"));
    }

    #[test]
    fn logins_beyond_the_quota_wait_and_recover() {
        let config = Config {
            login_per_address_per_minute: 3,
            ..Config::default()
        };
        let clock = Clock::manual();
        let limits = Limits::new(&config, clock.clone());
        for i in 0..3 {
            assert!(limits.login("192.0.2.1", &format!("user{i}")).is_ok());
        }
        let refused = limits.login("192.0.2.1", "user9").unwrap_err();
        assert!(matches!(
            refused,
            Error::TooManyRequests { retry_after_secs } if (1..=20).contains(&retry_after_secs)
        ));
        assert!(
            limits.login("192.0.2.2", "user9").is_ok(),
            "another address"
        );
        clock.advance_secs(20);
        assert!(limits.login("192.0.2.1", "user9").is_ok(), "recovered");
    }

    #[test]
    fn counted_refusals_become_one_summary_each() {
        let limits = Limits::new(&Config::default(), Clock::manual());
        let entry = |ip: &str| HistoryDraft {
            occurred_at: 0,
            company_id: None,
            user_id: None,
            login_id: String::new(),
            ip: ip.to_owned(),
            user_agent: String::new(),
            peer: String::new(),
            area: HistoryArea::Auth,
            operation: "ログイン".to_owned(),
            outcome: madoguchi_domain::Outcome::Error,
            error_code: Some("SEC-0003".to_owned()),
            details: serde_json::json!({}),
        };
        for _ in 0..5 {
            limits.count(&entry("192.0.2.1"));
        }
        limits.count(&entry("192.0.2.2"));
        let summaries = limits.summaries(1);
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0].details["count"], 6);
        assert_eq!(summaries[0].details["by_address"]["192.0.2.1"], 5);
        assert!(limits.summaries(2).is_empty(), "emptied");
    }
}
