//! Reference data the bank operator loads and every 振込 screen reads: the 全銀協
//! 金融機関・支店 master and the closed days of the business calendar. The files madoguchi
//! ships (`reference-data/`, converted from the npm packages `zengin-code` and
//! `@holiday-jp/holiday_jp` by `tools/convert-reference-data.mjs`) are built into the
//! binary as the default; `madoguchi banks import FILE` / `calendar import FILE` load newer
//! releases without a new build.

use std::io::Read;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use madoguchi_domain::Error;
use madoguchi_domain::calendar::Calendar;
use madoguchi_domain::kana::to_zengin_hankaku;
use madoguchi_store::{BankEntry, ClosedDay};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{ApiError, from_store};
use crate::web::routes::Routes;

/// The master shipped with this build (zengin-code 1.0.0-p20260824), gzip'd TSV.
pub const SHIPPED_BANKS: &[u8] = include_bytes!("../../../reference-data/zengin-banks.tsv.gz");
/// The national holidays shipped with this build (holiday_jp 2.5.1), TSV.
pub const SHIPPED_HOLIDAYS: &str = include_str!("../../../reference-data/holidays-jp.tsv");

/// Reads a master file (gzip'd or plain TSV: 金融機関コード, 支店コード, 名称, カナ, with
/// a header line), checking every line; カナ is converted to 半角 in the 全銀協 set.
pub fn parse_banks(bytes: &[u8]) -> anyhow::Result<Vec<BankEntry>> {
    let mut text = String::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes).read_to_string(&mut text)?;
    } else {
        text = String::from_utf8(bytes.to_vec())?;
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let at = n + 1;
        let fields: Vec<&str> = line.split('\t').collect();
        let [bank, branch, name, kana] = fields[..] else {
            anyhow::bail!("line {at}: 4 tab-separated fields expected");
        };
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        anyhow::ensure!(
            digits(bank, 4),
            "line {at}: 金融機関コード {bank:?} is not 4 digits"
        );
        anyhow::ensure!(
            branch.is_empty() || digits(branch, 3),
            "line {at}: 支店コード {branch:?} is not 3 digits"
        );
        anyhow::ensure!(!name.trim().is_empty(), "line {at}: no 名称");
        let kana = to_zengin_hankaku(kana.trim())
            .map_err(|c| anyhow::anyhow!("line {at}: {c:?} in the カナ has no 全銀 form"))?;
        out.push(BankEntry {
            bank_code: bank.to_owned(),
            branch_code: branch.to_owned(),
            name: name.trim().to_owned(),
            kana,
        });
    }
    anyhow::ensure!(!out.is_empty(), "no banks in the file");
    Ok(out)
}

/// Reads a holiday file (TSV: YYYY-MM-DD, 名称, with a header line).
pub fn parse_holidays(text: &str) -> anyhow::Result<Vec<ClosedDay>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let at = n + 1;
        let Some((day, name)) = line.split_once('\t') else {
            anyhow::bail!("line {at}: date and name expected");
        };
        parse_day(day).map_err(|e| anyhow::anyhow!("line {at}: {e}"))?;
        out.push(ClosedDay {
            day: day.to_owned(),
            name: name.trim().to_owned(),
            bank: false,
        });
    }
    Ok(out)
}

fn parse_day(day: &str) -> anyhow::Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(day, &format).map_err(|_| anyhow::anyhow!("{day:?} is not YYYY-MM-DD"))
}

fn draft(state: &AppState, operation: &str) -> madoguchi_store::HistoryDraft {
    crate::operator::draft(state, None, operation)
}

/// 金融機関マスタの取込: the whole master replaced.
pub async fn import_banks(state: &AppState, bytes: &[u8]) -> anyhow::Result<(usize, usize)> {
    let entries = parse_banks(bytes)?;
    let (banks, branches) = (
        entries.iter().filter(|e| e.branch_code.is_empty()).count(),
        entries.iter().filter(|e| !e.branch_code.is_empty()).count(),
    );
    let d = draft(state, "金融機関マスタの取込")
        .details(serde_json::json!({"banks": banks, "branches": branches}));
    Ok(state.store.replace_banks(&entries, d).await?)
}

/// 祝日の取込: the national holidays replaced (the bank's own days kept).
pub async fn import_holidays(state: &AppState, text: &str) -> anyhow::Result<usize> {
    let days = parse_holidays(text)?;
    let d = draft(state, "祝日の取込").details(serde_json::json!({
        "days": days.len(),
        "first": days.first().map(|d| d.day.clone()),
        "last": days.last().map(|d| d.day.clone()),
    }));
    Ok(state.store.replace_holidays(&days, d).await?)
}

/// 休業日の登録: one of the bank's own closing days.
pub async fn close_day(state: &AppState, day: &str, name: &str) -> anyhow::Result<()> {
    parse_day(day)?;
    anyhow::ensure!(!name.trim().is_empty(), "name the day (--name)");
    let closed = ClosedDay {
        day: day.to_owned(),
        name: name.trim().to_owned(),
        bank: true,
    };
    let d =
        draft(state, "休業日の登録").details(serde_json::json!({"day": day, "name": closed.name}));
    anyhow::ensure!(
        state.store.close_day(&closed, d).await?,
        "{day} is a national holiday already"
    );
    Ok(())
}

/// 休業日の削除: one of the bank's own closing days, no longer closed.
pub async fn open_day(state: &AppState, day: &str) -> anyhow::Result<()> {
    parse_day(day)?;
    let d = draft(state, "休業日の削除").details(serde_json::json!({"day": day}));
    anyhow::ensure!(
        state.store.open_day(day, d).await?,
        "{day} is not one of the bank's own closing days"
    );
    Ok(())
}

/// The business calendar as the store holds it now.
pub async fn calendar(state: &AppState) -> Result<Calendar, Error> {
    let days = state.store.closed_days().await.map_err(from_store)?;
    Ok(Calendar::new(
        days.iter().filter_map(|d| parse_day(&d.day).ok()),
    ))
}

pub fn router() -> Routes {
    Routes::new()
        .route("/api/v1/banks", get(search_banks))
        .route("/api/v1/banks/{code}/branches", get(search_branches))
}

/// A 金融機関 or 支店 as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankView {
    /// 金融機関コード (4 digits) or 支店コード (3 digits)
    pub code: String,
    pub name: String,
    /// 半角カナ
    pub kana: String,
}

fn view(e: BankEntry, branch: bool) -> BankView {
    BankView {
        code: if branch { e.branch_code } else { e.bank_code },
        name: e.name,
        kana: e.kana,
    }
}

#[derive(Debug, Deserialize)]
pub struct Lookup {
    /// A code, or the カナ (全角 or 半角) the name starts with.
    #[serde(default)]
    q: String,
}

/// The typed beginning of a code or カナ, as the master spells it; nothing for text that
/// is neither.
fn prefix(q: &str) -> Option<String> {
    to_zengin_hankaku(q.trim()).ok()
}

const LOOKUP_LIMIT: i64 = 50;

/// 金融機関の検索 (empty `bank_code`) or 支店の検索 of `bank_code`, by code or カナ
/// (全角 or 半角), the first 50; `NotFound` for a bank the master lacks.
pub async fn lookup(state: &AppState, bank_code: &str, q: &str) -> Result<Vec<BankEntry>, Error> {
    if !bank_code.is_empty()
        && state
            .store
            .bank_entry(bank_code, "")
            .await
            .map_err(from_store)?
            .is_none()
    {
        return Err(Error::NotFound);
    }
    let Some(prefix) = prefix(q) else {
        return Ok(Vec::new());
    };
    if bank_code.is_empty() {
        return state
            .store
            .search_banks(&prefix, LOOKUP_LIMIT)
            .await
            .map_err(from_store);
    }
    state
        .store
        .search_branches(bank_code, &prefix, LOOKUP_LIMIT)
        .await
        .map_err(from_store)
}

/// 金融機関の検索 by code or カナ (the first 50).
#[utoipa::path(get, path = "/api/v1/banks", tag = "振込振替", params(("q" = String, Query)),
    responses((status = 200, body = Vec<BankView>)))]
pub async fn search_banks(
    State(state): State<AppState>,
    _actor: Actor,
    Query(q): Query<Lookup>,
) -> Result<Json<Vec<BankView>>, ApiError> {
    let found = lookup(&state, "", &q.q).await?;
    Ok(Json(found.into_iter().map(|e| view(e, false)).collect()))
}

/// 支店の検索 of a 金融機関 by code or カナ (the first 50).
#[utoipa::path(get, path = "/api/v1/banks/{code}/branches", tag = "振込振替",
    params(("code" = String, Path), ("q" = String, Query)),
    responses((status = 200, body = Vec<BankView>), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn search_branches(
    State(state): State<AppState>,
    _actor: Actor,
    Path(code): Path<String>,
    Query(q): Query<Lookup>,
) -> Result<Json<Vec<BankView>>, ApiError> {
    let found = lookup(&state, &code, &q.q).await?;
    Ok(Json(found.into_iter().map(|e| view(e, true)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_master_and_holidays_read_whole() {
        let banks = parse_banks(SHIPPED_BANKS).unwrap();
        let count = |branch: bool| {
            banks
                .iter()
                .filter(|b| b.branch_code.is_empty() != branch)
                .count()
        };
        assert_eq!((count(false), count(true)), (1146, 28944));
        let mizuho = banks
            .iter()
            .find(|b| b.bank_code == "0001" && b.branch_code.is_empty())
            .unwrap();
        assert_eq!(
            (mizuho.name.as_str(), mizuho.kana.as_str()),
            ("みずほ", "ﾐｽﾞﾎ")
        );
        let tokyo = banks
            .iter()
            .find(|b| b.bank_code == "0001" && b.branch_code == "001")
            .unwrap();
        assert_eq!(tokyo.kana, "ﾄｳｷﾖｳ");
        let holidays = parse_holidays(SHIPPED_HOLIDAYS).unwrap();
        assert_eq!(holidays.len(), 1329);
        assert!(
            holidays
                .iter()
                .any(|d| d.day == "2027-01-11" && d.name == "成人の日")
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        let bad = "bank_code\tbranch_code\tname\tkana\n0001\t\tみずほ\tミズホ\n001\t\tx\tｱ\n";
        assert!(
            parse_banks(bad.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("line 3")
        );
        let kanji = "h\n0001\t\tみずほ\t東京\n";
        assert!(parse_banks(kanji.as_bytes()).is_err());
        assert!(
            parse_holidays("h\n2027-13-01\tx\n")
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
    }
}
