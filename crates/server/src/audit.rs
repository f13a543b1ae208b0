//! The 操作履歴's evidence outside the database: signed checkpoints appended to a log file
//! (`history_checkpoint_file` in the data directory, 0600), made at least every
//! `history_checkpoint_seconds` while entries come in and as soon as
//! `history_checkpoint_entries` have; and the verification of the whole history against
//! them, at start, every `history_verify_hours`, and by `madoguchi history verify`. The
//! last verification's outcome is kept (signed) for the 操作履歴照会 screen. Entries older
//! than `history_retention_days` are purged daily (and by `madoguchi history purge`).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use madoguchi_store::{Checkpoint, HistoryKey, VerifyReport};

use crate::state::AppState;

/// The deployment setting the last verification is kept under.
const LAST_VERIFIED: &str = "history_last_verified";

/// The checkpoints in the log file (none when there is no file yet).
pub fn read_log(path: &Path) -> anyhow::Result<Vec<Checkpoint>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            Checkpoint::from_line(line).ok_or_else(|| {
                anyhow::anyhow!("{} line {}: not a checkpoint", path.display(), i + 1)
            })
        })
        .collect()
}

/// Appends `c` to the log file, durably (made 0600 when new).
pub fn append_log(path: &Path, c: &Checkpoint) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    writeln!(file, "{}", c.to_line())?;
    file.sync_all()?;
    Ok(())
}

/// Signs a checkpoint now (unless nothing was appended since the last) and logs it.
pub async fn checkpoint(state: &AppState) -> anyhow::Result<Option<Checkpoint>> {
    let made = state.store.checkpoint(state.now()).await?;
    if let Some(c) = &made {
        append_log(&state.config.checkpoint_file(), c)?;
    }
    Ok(made)
}

/// Entries removed per purge transaction: bounds how long one holds the write lock.
const PURGE_BATCH: i64 = 10_000;

/// Removes the entries older than the retention period (none when it is 0), in batches;
/// how many were removed.
pub async fn purge(state: &AppState) -> anyhow::Result<i64> {
    let days = i64::from(state.config.history_retention_days);
    if days == 0 {
        return Ok(0);
    }
    let cutoff = state.now() - days * 86_400_000_000;
    let mut total = 0;
    loop {
        let record = crate::operator::draft(state, None, "保存期間を過ぎた操作履歴の削除");
        let purged = state
            .store
            .purge_history(cutoff, state.now(), PURGE_BATCH, record)
            .await?;
        total += purged.removed;
        if purged.removed < PURGE_BATCH {
            return Ok(total);
        }
    }
}

/// The last verification, as kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Verified {
    pub at: i64,
    pub checked: i64,
    /// The first problem found, if any.
    pub problem: Option<String>,
}

fn verified_mac(key: &HistoryKey, body: &str) -> String {
    key.mac(&["verified", body])
}

/// Verifies the whole 操作履歴 against the checkpoints (the database's and the log
/// file's) and keeps the outcome.
pub async fn verify(state: &AppState) -> anyhow::Result<VerifyReport> {
    let outside = read_log(&state.config.checkpoint_file())?;
    let report = state.store.verify_history(&outside).await?;
    let kept = Verified {
        at: state.now(),
        checked: report.checked,
        problem: report
            .first_bad
            .as_ref()
            .map(|(seq, reason)| format!("{reason} (seq {seq})")),
    };
    let body = serde_json::to_string(&kept)?;
    let mac = verified_mac(&state.history_key, &body);
    state
        .store
        .set_meta(
            LAST_VERIFIED,
            &serde_json::json!({"body": body, "mac": mac}).to_string(),
        )
        .await?;
    Ok(report)
}

/// The last verification, if one was kept and its signature holds (a forged record reads
/// as `Err`).
pub async fn last_verified(state: &AppState) -> anyhow::Result<Option<Verified>> {
    let Some(kept) = state.store.meta(LAST_VERIFIED).await? else {
        return Ok(None);
    };
    let kept: serde_json::Value = serde_json::from_str(&kept)?;
    let body = kept["body"].as_str().unwrap_or_default();
    anyhow::ensure!(
        kept["mac"].as_str() == Some(verified_mac(&state.history_key, body).as_str()),
        "the record of the last verification is not signed with this deployment's key"
    );
    Ok(Some(serde_json::from_str(body)?))
}

/// The server's background duty: a first checkpoint and verification at start, then
/// checkpoints as they fall due and a verification every `history_verify_hours`.
pub async fn run(state: AppState) {
    let tick = Duration::from_secs(5.min(u64::from(state.config.history_checkpoint_seconds)));
    let every = i64::from(state.config.history_checkpoint_seconds) * 1_000_000;
    let verify_every = i64::from(state.config.history_verify_hours) * 3_600_000_000;
    let entries = i64::from(state.config.history_checkpoint_entries);
    let mut last_checkpoint: Option<i64> = None;
    let mut last_verify: Option<i64> = None;
    let mut last_purge: Option<i64> = None;
    let older = |last: Option<i64>, now: i64, age: i64| last.is_none_or(|t| now - t >= age);
    loop {
        let now = state.now();
        let due = match state.store.since_checkpoint().await {
            Ok(since) => since > 0 && (since >= entries || older(last_checkpoint, now, every)),
            Err(e) => {
                tracing::warn!(error = ?e, "could not read the 操作履歴's heads");
                false
            }
        };
        if due || last_checkpoint.is_none() {
            match checkpoint(&state).await {
                Ok(_) => last_checkpoint = Some(now),
                Err(e) => tracing::error!(error = %e, "could not sign a 操作履歴 checkpoint"),
            }
        }
        if older(last_purge, now, 86_400_000_000) {
            last_purge = Some(now);
            match purge(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, "操作履歴 past its retention purged"),
                Err(e) => tracing::error!(error = %e, "操作履歴 could not be purged"),
            }
        }
        if last_verify.is_none() || (verify_every > 0 && older(last_verify, now, verify_every)) {
            last_verify = Some(now);
            match verify(&state).await {
                Ok(report) if report.first_bad.is_none() => {
                    tracing::info!(entries = report.checked, "操作履歴 verified: intact");
                }
                Ok(report) => {
                    tracing::error!(problem = ?report.first_bad, "操作履歴 verification FAILED")
                }
                Err(e) => tracing::error!(error = %e, "操作履歴 could not be verified"),
            }
        }
        tokio::time::sleep(tick).await;
    }
}
