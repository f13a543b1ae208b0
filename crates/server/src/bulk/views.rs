//! Screens of the file businesses: 作業内容選択, 依頼(ファイル受付) (the file's errors listed
//! by line, columns and field, the choices kept), 取引詳細 (the file, its totals and
//! records, and a button for each act the user may do now: 確定, 承認, 差戻し, 引戻し, 削除),
//! their 確認 (with the 確認用パスワード) and 結果, 承認待ち一覧 and 取引状況照会.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::{ApprovalMode, Business, Error, HistoryArea, jst};
use madoguchi_store::{BulkOrder, BulkRecordRow};

use super::acts::{self, Act, List};
use super::spool::{read_multipart, spool_dir};
use super::upload::{self, Upload};
use super::{business_of, is_approver, may, may_approve, permissions, shown, uses};
use crate::confirm::{self, Confirmation, ResultKind, Section, Step};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::orders::KeyQuery;
use crate::orders::shown::{user_label, yen};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{FileErrorBody, PageError};
use crate::web::form::{CSRF_FIELD, PageForm};
use crate::web::page::{Frame, render, render_status};
use crate::web::token;

const UPLOAD_STEPS: [&str; 4] = ["ファイル指定", "内容確認", "確定", "完了"];
/// The steps of 依頼(画面入力) (its 確認 and 確定 are those of a file).
pub(crate) const ENTRY_STEPS: [&str; 4] = ["内容入力", "内容確認", "確定", "完了"];
const ACT_STEPS: [&str; 3] = ["取引を選択", "内容確認", "完了"];

/// 画面ID of screen `n` of `b`: 作業内容選択 1, ファイル受付 2, 取引詳細 3, 確認 4, 結果 5,
/// 承認待ち一覧 6, 取引状況照会 7.
fn screen(b: Business, n: usize) -> &'static str {
    const IDS: [[&str; 7]; 4] = [
        [
            "BSFK001", "BSFK002", "BSFK022", "BSFK012", "BSFK013", "BSFK011", "BSFK021",
        ],
        [
            "BKYF001", "BKYF002", "BKYF022", "BKYF012", "BKYF013", "BKYF011", "BKYF021",
        ],
        [
            "BSYF001", "BSYF002", "BSYF022", "BSYF012", "BSYF013", "BSYF011", "BSYF021",
        ],
        [
            "BKFF001", "BKFF002", "BKFF022", "BKFF012", "BKFF013", "BKFF011", "BKFF021",
        ],
    ];
    let row = super::BUSINESSES.iter().position(|x| *x == b).unwrap_or(0);
    IDS[row][n.saturating_sub(1).min(6)]
}

fn base(b: Business) -> String {
    format!("/bulk/{}", b.key())
}

#[derive(Template)]
#[template(path = "bulk/menu.html")]
struct MenuPage {
    frame: Frame,
    business: &'static str,
    /// (href, button, what it does)
    works: Vec<(String, &'static str, &'static str)>,
}

/// GET /bulk/{business} — 作業内容選択.
pub async fn view_menu_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let p = permissions(b);
    let base = base(b);
    let mut works = Vec::new();
    if may(&actor, p.screen) {
        works.push((
            format!("{base}/entry"),
            "画面入力",
            "登録済みの振込先（請求先）を選んで金額を入力し、依頼します。",
        ));
    }
    if may(&actor, p.file) {
        works.push((
            format!("{base}/upload"),
            "ファイル受付",
            "全銀協フォーマットのファイルで依頼します。",
        ));
    }
    if let Some(list) = madoguchi_domain::bulk::payee::PayeeList::of(b)
        && super::payees::may_see(&actor, list)
    {
        works.push((
            format!("{base}/payees"),
            list.manage_label(),
            if list == madoguchi_domain::bulk::payee::PayeeList::DirectDebit {
                "請求先の照会・登録・削除を行います。"
            } else {
                "振込先の照会・登録・削除を行います。"
            },
        ));
    }
    if may_approve(&actor, b) {
        works.push((
            format!("{base}/approvals"),
            "承認待ち一覧",
            "承認者に指定された取引を承認・差戻しします。",
        ));
    }
    if uses(&actor, b) {
        works.push((
            format!("{base}/status"),
            "取引状況照会",
            "依頼した取引の状況を照会します。",
        ));
    }
    Ok(render(&MenuPage {
        frame: Frame::new(&state, &actor, screen(b, 1), "作業内容選択"),
        business: b.label(),
        works,
    }))
}

#[derive(Template)]
#[template(path = "bulk/upload.html")]
struct UploadPage {
    frame: Frame,
    steps: Vec<Step>,
    business: &'static str,
    action: String,
    back: String,
    summary: String,
    file_errors: Vec<FileErrorBody>,
    max_size: String,
    fees: bool,
    fee_side: String,
    approvers: Approvers,
}

/// The 承認者 a 依頼 form asks for by the company's 承認機能 of the business: the choices
/// (the approvers of the company), what was chosen and each one's message.
pub(crate) struct Approvers {
    pub(crate) mode_label: &'static str,
    pub(crate) double: bool,
    pub(crate) first_label: &'static str,
    pub(crate) last_label: &'static str,
    pub(crate) options: Vec<(String, String)>,
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) first_error: String,
    pub(crate) last_error: String,
}

impl Approvers {
    /// The choices of `b` with `first` and `last` chosen and `error`'s messages.
    pub(crate) async fn of(
        state: &AppState,
        actor: &Actor,
        b: Business,
        (first, last): (String, String),
        error: Option<&Error>,
    ) -> Result<Self, Error> {
        let scope = actor.scope(state);
        let mode = scope.settings().await?.settings.approval.get(b);
        let options = scope
            .members()
            .await?
            .iter()
            .filter(|u| is_approver(u, b))
            .map(|u| {
                (
                    u.id.to_string(),
                    user_label(std::slice::from_ref(u), Some(u.id)),
                )
            })
            .collect();
        let (first_label, last_label) = match mode {
            ApprovalMode::DoubleOrdered => ("一次承認者", "最終承認者"),
            ApprovalMode::DoubleUnordered => ("承認者1", "承認者2"),
            _ => ("承認者", ""),
        };
        let field = |name: &str| match error {
            Some(Error::Invalid(f)) => f.message_for(name).unwrap_or_default(),
            _ => String::new(),
        };
        Ok(Self {
            mode_label: mode.label(),
            double: matches!(
                mode,
                ApprovalMode::DoubleOrdered | ApprovalMode::DoubleUnordered
            ),
            first_label,
            last_label,
            options,
            first,
            last,
            first_error: field("first_approver"),
            last_error: field("last_approver"),
        })
    }
}

async fn upload_page(
    state: &AppState,
    actor: &Actor,
    b: Business,
    up: &Upload,
    error: Option<&Error>,
) -> Result<Response, PageError> {
    let file_errors = match error {
        Some(Error::InvalidFile(errors)) => errors.iter().map(FileErrorBody::of).collect(),
        _ => Vec::new(),
    };
    let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let page = UploadPage {
        frame: Frame::new(state, actor, screen(b, 2), "依頼(ファイル受付)"),
        steps: confirm::steps(&UPLOAD_STEPS, 0),
        business: b.label(),
        action: format!("{}/upload", base(b)),
        back: base(b),
        summary: error.map(Error::message_ja).unwrap_or_default(),
        file_errors,
        max_size: format!("{}MB", state.config.max_upload_bytes / (1024 * 1024)),
        fees: b == Business::BulkTransfer,
        fee_side: up.fee_side.clone(),
        approvers: Approvers::of(
            state,
            actor,
            b,
            (id(up.first_approver), id(up.last_approver)),
            error,
        )
        .await?,
    };
    Ok(match error {
        Some(e) => render_status(crate::web::error::status_of(e.kind()), &page),
        None => render(&page),
    })
}

/// GET /bulk/{business}/upload — 依頼(ファイル受付); refused without its permission.
pub async fn view_upload_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let what = super::operation(b, "ファイル受付");
    super::permitted(&state, &actor, b, may(&actor, permissions(b).file), &what).await?;
    upload_page(&state, &actor, b, &Upload::default(), None).await
}

/// POST /bulk/{business}/upload — 「次へ」: the file read and checked; a clean one is
/// stored 作成中 and its 確定 is next, a refused one is listed error by error.
pub async fn view_upload_post(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let limit = state.config.max_upload_bytes;
    let (file, fields) = read_multipart(multipart, limit, Some(&spool_dir(&state))).await?;
    let sent = fields
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map_or("", |(_, v)| v.as_str());
    if !token::same(sent, &actor.session().csrf_token) {
        let err = actor
            .refuse(
                &state,
                HistoryArea::Auth,
                "CSRFトークン検証",
                Error::CsrfRejected,
            )
            .await;
        return Err(err.into());
    }
    let up = Upload::of(file, &fields, limit);
    match upload::upload(&state, &actor, b, &up).await {
        Ok(done) => {
            Ok(Redirect::to(&format!("{}/orders/{}/confirm", base(b), done.id)).into_response())
        }
        Err(e @ (Error::InvalidFile(_) | Error::Invalid(_))) => {
            upload_page(&state, &actor, b, &up, Some(&e)).await
        }
        Err(other) => Err(other.into()),
    }
}

struct Line {
    id: i64,
    date: String,
    file: String,
    count: i64,
    amount: String,
    state: &'static str,
    result: &'static str,
    deadline: String,
}

fn line(o: &BulkOrder) -> Line {
    Line {
        id: o.id,
        date: jst::format_date(&o.execution_date),
        file: o.file.name.clone(),
        count: o.totals.count,
        amount: yen(o.totals.transfer),
        state: o.approval.state.label(),
        result: shown::host_label(o),
        deadline: jst::format_minutes(o.deadline),
    }
}

#[derive(Template)]
#[template(path = "bulk/list.html")]
struct ListPage {
    frame: Frame,
    lead: &'static str,
    waiting: bool,
    base: String,
    date_label: &'static str,
    lines: Vec<Line>,
}

async fn list(
    state: &AppState,
    actor: &Actor,
    business: &str,
    which: List,
) -> Result<Response, PageError> {
    let b = business_of(business)?;
    let found = acts::list(state, actor, b, which).await?;
    let (n, lead) = match which {
        List::Waiting => (
            6,
            "承認者に指定された取引のうち、承認できるものを表示しています。取引番号を選択してください。",
        ),
        List::Status => (
            7,
            "依頼した取引と承認者に指定された取引（全取引照会の権限があれば企業内のすべての取引）を新しい順に表示しています。",
        ),
    };
    Ok(render(&ListPage {
        frame: Frame::new(state, actor, screen(b, n), which.label()),
        lead,
        waiting: which == List::Waiting,
        base: base(b),
        date_label: shown::date_label(b),
        lines: found.iter().map(line).collect(),
    }))
}

/// GET /bulk/{business}/approvals — 承認待ち一覧.
pub async fn view_approvals_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
) -> Result<Response, PageError> {
    list(&state, &actor, &business, List::Waiting).await
}

/// GET /bulk/{business}/status — 取引状況照会.
pub async fn view_status_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
) -> Result<Response, PageError> {
    list(&state, &actor, &business, List::Status).await
}

struct RecordLine {
    line: i64,
    bank: String,
    account: String,
    name: String,
    amount: String,
    deduction: String,
    transfer: String,
    payer_fee: String,
    result: String,
}

fn record_line(r: &BulkRecordRow) -> RecordLine {
    RecordLine {
        line: r.line,
        bank: format!("{}-{}", r.bank_code, r.branch_code),
        account: format!(
            "{} {}",
            madoguchi_domain::AccountKind::from_code(r.account_kind)
                .map_or("その他", madoguchi_domain::AccountKind::label),
            r.number
        ),
        name: r.name.clone(),
        amount: yen(r.amount),
        deduction: yen(r.deduction),
        transfer: yen(r.transfer_amount),
        payer_fee: yen(r.payer_fee),
        result: r
            .result_code
            .map(|c| format!("{c} {}", madoguchi_domain::bulk::result_label(c)))
            .unwrap_or_default(),
    }
}

/// Records 取引詳細 shows (the API pages through all of them).
const SHOWN_RECORDS: i64 = 200;

#[derive(Template)]
#[template(path = "bulk/detail.html")]
struct DetailPage {
    frame: Frame,
    id: i64,
    base: String,
    sections: Vec<Section>,
    acts: Vec<(&'static str, &'static str)>,
    created: String,
    result: &'static str,
    records: Vec<RecordLine>,
    shown_count: i64,
    more: bool,
    fees: bool,
    name_label: &'static str,
    /// 口座振替 with the bank's results in: (振替済, 振替不能) and whether the user may download.
    results: Option<(String, String)>,
    may_download: bool,
}

/// GET /bulk/{business}/orders/{id} — 取引詳細.
pub async fn view_detail_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let o = acts::detail(&state, &actor, b, id, "取引状況照会").await?;
    let scope = actor.scope(&state);
    let members = scope.members().await?;
    let sections = acts::sections(&state, &actor, &o, &members).await?;
    let records = scope.bulk_records(id, 0, SHOWN_RECORDS).await?;
    let acts: Vec<(&str, &str)> = acts::available(&actor, &o, state.now())
        .into_iter()
        .map(|a| (a.code(), a.button()))
        .collect();
    Ok(render(&DetailPage {
        frame: Frame::new(&state, &actor, screen(b, 3), "取引詳細"),
        id,
        base: base(b),
        sections,
        acts,
        created: jst::format_minutes(o.created_at),
        result: shown::host_label(&o),
        shown_count: o.totals.count,
        more: o.totals.count > SHOWN_RECORDS,
        records: records.iter().map(record_line).collect(),
        fees: b == Business::BulkTransfer,
        results: o.results.map(|r| {
            (
                format!("{}件 {}", r.settled_count, yen(r.settled_amount)),
                format!("{}件 {}", r.unsettled_count, yen(r.unsettled_amount)),
            )
        }),
        may_download: may(&actor, super::results::RESULTS),
        name_label: if b == Business::DirectDebit {
            "預金者名"
        } else {
            "受取人名"
        },
    }))
}

fn act_of(code: &str) -> Result<Act, PageError> {
    Act::from_code(code).ok_or(PageError(Error::NotFound))
}

#[allow(clippy::too_many_arguments)]
fn confirm_page(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    act: Act,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    // A 依頼 typed on screen says so in its 依頼方法 (shown::file_section).
    let entered = sections
        .iter()
        .flat_map(|s| s.rows.iter())
        .any(|r| r.label == "依頼方法" && r.after == "画面入力");
    let (steps, at): (&[&'static str], usize) = if act == Act::Confirm && entered {
        (&ENTRY_STEPS, 1)
    } else if act == Act::Confirm {
        (&UPLOAD_STEPS, 1)
    } else {
        (&ACT_STEPS, 1)
    };
    ConfirmPage::new(
        Frame::new(state, actor, screen(b, 4), "取引内容確認"),
        confirm::steps(steps, at),
        format!("以下の取引を{}します。", act.button()),
        sections,
        key,
        format!("{}/orders/{id}/{}", base(b), act.code()),
        format!("{}/orders/{id}/back", base(b)),
    )
    .showing_changes()
    .respond_after(error)
}

/// GET /bulk/{business}/orders/{id}/{act} — 確認 of 確定・承認・差戻し・引戻し・削除.
pub async fn view_act_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id, act)): Path<(String, i64, String)>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let act = act_of(&act)?;
    let sections = acts::preview(&state, &actor, b, id, act).await?;
    Ok(confirm_page(
        &state,
        &actor,
        b,
        id,
        act,
        sections,
        confirm::new_idempotency_key(),
        None,
    ))
}

/// POST /bulk/{business}/orders/{id}/{act} — 実行 (and `back`: 「戻る」 to 取引詳細).
pub async fn view_act_post(
    State(state): State<AppState>,
    Path((business, id, act)): Path<(String, i64, String)>,
    PageForm { actor, form }: PageForm<Actor, crate::orders::ActForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    if act == "back" {
        return Ok(Redirect::to(&format!("{}/orders/{id}", base(b))).into_response());
    }
    let act = act_of(&act)?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key;
    match acts::act(&state, &actor, b, id, act, &confirmation, &key).await {
        Ok(done) => {
            Ok(Redirect::to(&done.result_url(&format!("{}/done", base(b)))).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = acts::preview(&state, &actor, b, id, act).await?;
            Ok(confirm_page(
                &state,
                &actor,
                b,
                id,
                act,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// GET /bulk/{business}/done?key= — 結果.
pub async fn view_done_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let sections = confirm::result(&state, &actor, &q.key, ResultKind::BulkActed).await?;
    let after = sections
        .iter()
        .flat_map(|s| &s.rows)
        .find(|r| r.label == "状態")
        .map(|r| r.after.clone())
        .unwrap_or_default();
    let base = base(b);
    Ok(ResultPage {
        frame: Frame::new(&state, &actor, screen(b, 5), "取引結果"),
        steps: confirm::steps(&ACT_STEPS, 2),
        lead: format!("取引の状態を「{after}」にしました。"),
        shows_changes: true,
        sections,
        links: vec![
            (format!("{base}/approvals"), "承認待ち一覧へ".to_owned()),
            (format!("{base}/status"), "取引状況照会へ".to_owned()),
        ],
        print_href: String::new(),
    }
    .respond())
}

/// GET /bulk/{business}/orders/{id}/results — 振替結果照会 (CSV).
pub async fn view_results_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
    Query(q): Query<super::results::EncodingQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let encoding = q.encoding()?;
    let bytes = super::results::csv(&state, &actor, b, id, encoding).await?;
    Ok(super::results::response(bytes, encoding, id))
}
