//! 振替結果照会 of 口座振替: each record's 振替結果 once the bank's result file is in, and the
//! totals (振替済・振替不能 件数・金額), as a CSV download (UTF-8 with a BOM or Shift_JIS),
//! for the マスターユーザ and users with 振替結果照会.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use madoguchi_domain::bulk::result_label;
use madoguchi_domain::{Business, Error};

use super::{acts, may, operation, permitted};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::csv::{Encoding, line};

/// 振替結果照会.
pub const RESULTS: &str = "debit.results";

/// Records read per page while writing the file.
const PAGE: i64 = 5_000;

/// The CSV of the results of 口座振替 order `id`: refused (and recorded) without
/// 振替結果照会, for another business, or before the results are in.
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    encoding: Encoding,
) -> Result<Vec<u8>, Error> {
    let what = operation(Business::DirectDebit, "振替結果照会");
    if b != Business::DirectDebit {
        // Only 口座振替 has results: another business's path names nothing.
        return Err(actor
            .refuse(
                state,
                madoguchi_domain::HistoryArea::of(b),
                &what,
                Error::NotFound,
            )
            .await);
    }
    permitted(state, actor, b, may(actor, RESULTS), &what).await?;
    let o = acts::detail(state, actor, b, id, &what).await?;
    let Some(r) = o.results else {
        return Err(actor
            .refuse(
                state,
                madoguchi_domain::HistoryArea::of(b),
                &what,
                Error::NotFound,
            )
            .await);
    };
    let mut text = String::from(if encoding == Encoding::Utf8 {
        "\u{feff}"
    } else {
        ""
    });
    text.push_str(&line(&[
        "行",
        "引落銀行番号",
        "引落支店番号",
        "預金種目",
        "口座番号",
        "預金者名",
        "引落金額",
        "顧客番号",
        "振替結果コード",
        "振替結果",
    ]));
    let scope = actor.scope(state);
    let mut after = 0;
    loop {
        let page = scope.bulk_records(id, after, PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.line;
        for rec in &page {
            let code = rec.result_code.unwrap_or(9);
            text.push_str(&line(&[
                &rec.line.to_string(),
                &rec.bank_code,
                &rec.branch_code,
                &rec.account_kind.to_string(),
                &rec.number,
                &rec.name,
                &rec.amount.to_string(),
                &rec.reference,
                &code.to_string(),
                result_label(code),
            ]));
        }
    }
    text.push_str(&line(&[
        "振替済",
        &r.settled_count.to_string(),
        &r.settled_amount.to_string(),
    ]));
    text.push_str(&line(&[
        "振替不能",
        &r.unsettled_count.to_string(),
        &r.unsettled_amount.to_string(),
    ]));
    actor
        .record(
            state,
            actor
                .draft(state, madoguchi_domain::HistoryArea::of(b), &what)
                .details(serde_json::json!({ "order_id": id, "encoding": encoding.code() })),
        )
        .await?;
    Ok(encoding.encode(&text))
}

/// The download of `bytes`, the results of order `id`.
pub fn response(bytes: Vec<u8>, encoding: Encoding, id: i64) -> Response {
    let charset = match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::ShiftJis => "shift_jis",
    };
    (
        [
            (header::CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"furikae-kekka-{id}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `?encoding=` of the download: utf8 (the default) or sjis.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct EncodingQuery {
    #[serde(default)]
    pub encoding: String,
}

impl EncodingQuery {
    pub fn encoding(&self) -> Result<Encoding, Error> {
        Encoding::parse(&self.encoding).ok_or(Error::NotFound)
    }
}
