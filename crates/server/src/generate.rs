//! Realistic 操作履歴 in bulk, for measuring the history at scale (`madoguchi history
//! generate`, docs/performance.md). Only on a demo database: the entries are genuine (on
//! their chains, with MACs, verifiable) but describe nothing that happened.
//!
//! The entries spread over `days` up to now, in time order. Each real company of the
//! demo holds the share given for it (its own users, their addresses and browsers); the
//! rest belongs to `companies` synthetic companies (ids above the real ones, no other
//! rows), as a bank's other customers would. The mix of operations is a working day's:
//! mostly logins, looks and logouts, some changes, a few refusals.

use madoguchi_domain::{HistoryArea, Outcome};
use madoguchi_store::HistoryDraft;

use crate::state::AppState;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub entries: u64,
    /// Synthetic companies sharing what the real ones do not hold.
    pub companies: u32,
    /// Fraction of the entries held by each real company, in id order (the rest: 0).
    pub shares: Vec<f64>,
    pub days: u32,
}

/// (業務種別, 操作内容, weight, refused): the mix.
const MIX: &[(HistoryArea, &str, u32, bool)] = &[
    (HistoryArea::Auth, "ログイン", 30, false),
    (HistoryArea::Auth, "ログアウト", 22, false),
    (HistoryArea::History, "操作履歴照会", 18, false),
    (HistoryArea::Auth, "ログイン", 6, true),
    (HistoryArea::Company, "企業情報の変更", 4, false),
    (HistoryArea::Users, "利用者情報の変更", 6, false),
    (HistoryArea::Users, "利用者情報の新規登録", 3, false),
    (HistoryArea::Users, "利用停止・解除", 2, false),
    (HistoryArea::Company, "先方負担手数料の変更", 2, false),
    (HistoryArea::History, "操作履歴の印刷", 3, false),
    (HistoryArea::Users, "利用者情報の変更", 2, true),
    (HistoryArea::History, "操作履歴のダウンロード", 2, false),
];

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
];

/// A small deterministic generator (SplitMix64): the same plan makes the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Who acts in a company: (user id, login ID); synthetic companies have ten users with
/// ids of their own.
struct Actors {
    company_id: i64,
    users: Vec<(i64, String)>,
    /// The company's office addresses.
    net: u8,
}

/// Entries per transaction.
const BATCH: usize = 20_000;

/// Generates the plan's entries; how many were written. Progress goes to the log.
pub async fn generate(state: &AppState, plan: &Plan) -> anyhow::Result<u64> {
    anyhow::ensure!(
        state.store.meta("demo").await?.as_deref() == Some("1"),
        "history generate writes entries that describe nothing that happened: only on a demo database (serve --demo)"
    );
    let real = state.store.companies().await?;
    let mut actors = Vec::new();
    for (i, c) in real.iter().enumerate() {
        let users = state.store.users_of(c.id).await?;
        actors.push(Actors {
            company_id: c.id,
            users: users.into_iter().map(|u| (u.id, u.login_id)).collect(),
            net: u8::try_from(10 + i).unwrap_or(200),
        });
    }
    let base = real.iter().map(|c| c.id).max().unwrap_or(0) + 1;
    let synthetic: Vec<Actors> = (0..i64::from(plan.companies))
        .map(|i| Actors {
            company_id: base + i,
            users: (0..10)
                .map(|u| (1_000_000 + i * 10 + u, format!("user{i:05}{u}")))
                .collect(),
            net: u8::try_from(i % 200).unwrap_or(0),
        })
        .collect();
    let mut shares = plan.shares.clone();
    shares.resize(actors.len(), 0.0);
    let weights: u32 = MIX.iter().map(|m| m.2).sum();
    let span = i64::from(plan.days.max(1)) * 86_400_000_000;
    let end = state.now();
    let step = span / i64::try_from(plan.entries.max(1)).unwrap_or(i64::MAX);
    let mut rng = Rng(0x6d61_646f_6775_6368);
    let mut written = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    while written < plan.entries {
        let roll = rng.chance();
        let mut acc = 0.0;
        let who = shares
            .iter()
            .position(|s| {
                acc += s;
                roll < acc
            })
            .and_then(|i| actors.get(i))
            .filter(|a| !a.users.is_empty())
            .or_else(|| {
                let i = usize::try_from(rng.below(synthetic.len() as u64)).unwrap_or(0);
                synthetic.get(i)
            });
        let Some(who) = who else {
            anyhow::bail!("no company to write entries for: give --companies");
        };
        let mut pick = rng.below(u64::from(weights));
        let (area, operation, refused) = MIX
            .iter()
            .find(|m| {
                let hit = pick < u64::from(m.2);
                pick = pick.saturating_sub(u64::from(m.2));
                hit
            })
            .map(|m| (m.0, m.1, m.3))
            .unwrap_or((HistoryArea::Auth, "ログイン", false));
        let i = usize::try_from(rng.below(who.users.len() as u64)).unwrap_or(0);
        let Some((user_id, login_id)) = who.users.get(i) else {
            continue;
        };
        let agent = AGENTS
            .get(usize::try_from(rng.below(AGENTS.len() as u64)).unwrap_or(0))
            .copied()
            .unwrap_or_default();
        let at = end - span + step * i64::try_from(written).unwrap_or(0);
        let mut draft = HistoryDraft {
            occurred_at: at,
            company_id: Some(who.company_id),
            user_id: Some(*user_id),
            login_id: login_id.clone(),
            ip: format!("192.0.{}.{}", who.net, 1 + rng.below(20)),
            user_agent: agent.to_owned(),
            peer: String::new(),
            area,
            operation: operation.to_owned(),
            outcome: Outcome::Ok,
            error_code: None,
            details: serde_json::json!({}),
        };
        if refused {
            draft = draft.failed(if area == HistoryArea::Auth {
                "AUTH-0001"
            } else {
                "VAL-0001"
            });
        }
        batch.push(draft);
        written += 1;
        if batch.len() == BATCH {
            state.store.append_many(&batch).await?;
            batch.clear();
            if written.is_multiple_of(1_000_000) {
                tracing::info!(written, "操作履歴 generated");
            }
        }
    }
    if !batch.is_empty() {
        state.store.append_many(&batch).await?;
    }
    state.store.analyze_history().await?;
    Ok(written)
}
