//! Screens of 振込先管理 (請求先管理) of the file businesses: 一覧 (by グループ名, with
//! 「登録」, 「一括登録」, 「ダウンロード」 and each payee's 「削除」), 登録 → 確認 → 結果,
//! 一括登録 (a CSV file) → 確認 → 結果, and 削除 → 確認 → 結果. 給与振込 and 賞与振込 show the
//! one 給与・賞与 list.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::bulk::payee::{BulkPayeeInput, PayeeList};
use madoguchi_domain::{AccountKind, Business, Error};
use serde::Deserialize;

use super::business_of;
use super::payees::{self, list_of, may_manage};
use crate::confirm::{self, Confirmation, ResultKind, Section};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::orders::KeyQuery;
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::csv::Encoding;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::Messages;
use crate::web::page::{Frame, render, render_status};

pub(crate) const REGISTER_STEPS: [&str; 3] = ["入力", "内容確認", "登録完了"];
pub(crate) const CHANGE_STEPS: [&str; 3] = ["入力", "内容確認", "変更完了"];
pub(crate) const IMPORT_STEPS: [&str; 3] = ["ファイル指定", "内容確認", "登録完了"];
pub(crate) const DELETE_STEPS: [&str; 3] = ["選択", "内容確認", "削除完了"];

/// 画面ID of 振込先管理 screen `n` of `b`: 一覧 0, 登録 1, 登録確認 2, 結果 3, 削除確認 4,
/// 一括登録 5, 一括登録確認 6, 変更 7, 変更確認 8.
pub(crate) fn screen(b: Business, n: usize) -> &'static str {
    const IDS: [[&str; 9]; 4] = [
        [
            "BSFK031", "BSFK032", "BSFK033", "BSFK034", "BSFK035", "BSFK037", "BSFK038", "BSFK036",
            "BSFK039",
        ],
        [
            "BKYF031", "BKYF032", "BKYF033", "BKYF034", "BKYF035", "BKYF037", "BKYF038", "BKYF036",
            "BKYF039",
        ],
        [
            "BSYF031", "BSYF032", "BSYF033", "BSYF034", "BSYF035", "BSYF037", "BSYF038", "BSYF036",
            "BSYF039",
        ],
        [
            "BKFF031", "BKFF032", "BKFF033", "BKFF034", "BKFF035", "BKFF037", "BKFF038", "BKFF036",
            "BKFF039",
        ],
    ];
    let row = super::BUSINESSES.iter().position(|x| *x == b).unwrap_or(0);
    IDS[row][n.min(8)]
}

/// The title of screen `n` for `list` (振込先… or 請求先…): the screens of [`screen`], then
/// 変更結果 9 and 削除結果 10.
pub(crate) fn title_of(list: PayeeList, n: usize) -> &'static str {
    const TITLES: [[&str; 2]; 11] = [
        ["振込先一覧", "請求先一覧"],
        ["振込先登録", "請求先登録"],
        ["振込先登録確認", "請求先登録確認"],
        ["振込先登録結果", "請求先登録結果"],
        ["振込先削除確認", "請求先削除確認"],
        ["振込先一括登録", "請求先一括登録"],
        ["振込先一括登録確認", "請求先一括登録確認"],
        ["振込先変更", "請求先変更"],
        ["振込先変更確認", "請求先変更確認"],
        ["振込先変更結果", "請求先変更結果"],
        ["振込先削除結果", "請求先削除結果"],
    ];
    TITLES[n.min(10)][usize::from(list == PayeeList::DirectDebit)]
}

pub(crate) fn base(b: Business) -> String {
    format!("/bulk/{}/payees", b.key())
}

struct Line {
    id: i64,
    bank: String,
    branch: String,
    account: String,
    name: String,
    references: Vec<String>,
    group: String,
}

#[derive(Template)]
#[template(path = "bulk/payees.html")]
struct ListPage {
    frame: Frame,
    noun: &'static str,
    business: &'static str,
    base: String,
    /// 作業内容選択 of the business.
    menu: String,
    name_label: &'static str,
    reference_labels: Vec<&'static str>,
    groups: Vec<String>,
    group: String,
    lines: Vec<Line>,
    manage: bool,
    entry: bool,
}

/// `?group=` of the list (and of 依頼(画面入力)).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupQuery {
    pub group: String,
}

/// The distinct グループ名 of `payees`, in order.
pub(crate) fn groups_of(payees: &[madoguchi_store::BulkPayeeRecord]) -> Vec<String> {
    let mut groups: Vec<String> = payees
        .iter()
        .map(|p| p.group.clone())
        .filter(|g| !g.is_empty())
        .collect();
    groups.dedup();
    groups
}

/// GET /bulk/{business}/payees — 振込先一覧 (請求先一覧).
pub async fn view_list_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let all = payees::list(&state, &actor, list).await?;
    let groups = groups_of(&all);
    let lines = all
        .into_iter()
        .filter(|p| q.group.is_empty() || p.group == q.group)
        .map(|p| Line {
            id: p.id,
            bank: format!("{} ({})", p.bank_name, p.bank_code),
            branch: format!("{} ({})", p.branch_name, p.branch_code),
            account: format!(
                "{} {}",
                AccountKind::from_code(p.account_kind).map_or("", AccountKind::label),
                p.number
            ),
            name: p.name,
            references: [p.reference, p.reference2]
                .into_iter()
                .take(list.references().len())
                .collect(),
            group: p.group,
        })
        .collect();
    Ok(render(&ListPage {
        frame: Frame::new(&state, &actor, screen(b, 0), title_of(list, 0)),
        noun: list.noun(),
        business: b.label(),
        base: base(b),
        menu: format!("/bulk/{}", b.key()),
        name_label: list.name_label(),
        reference_labels: list.references().iter().map(|r| r.label).collect(),
        groups,
        group: q.group,
        lines,
        manage: may_manage(&actor, list),
        entry: super::may(&actor, super::permissions(b).screen),
    }))
}

/// The 登録 form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PayeeForm {
    #[serde(flatten)]
    pub payee: BulkPayeeInput,
    pub idempotency_key: String,
    pub confirmation_password: String,
    pub one_time_password: String,
}

impl PayeeForm {
    pub(crate) fn hidden(&self) -> Vec<(String, String)> {
        let p = &self.payee;
        [
            ("bank_code", &p.bank_code),
            ("branch_code", &p.branch_code),
            ("kind", &p.kind),
            ("number", &p.number),
            ("name", &p.name),
            ("reference", &p.reference),
            ("reference2", &p.reference2),
            ("group", &p.group),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "bulk/payee_new.html")]
struct InputPage {
    frame: Frame,
    steps: Vec<confirm::Step>,
    noun: &'static str,
    base: String,
    name_label: &'static str,
    /// (field, label, digits)
    references: Vec<(&'static str, &'static str, usize)>,
    form: BulkPayeeInput,
    errors: Messages,
    /// 金融機関・支店の検索: what was typed, and what the master has (登録 only).
    lookup: Lookup,
    /// Where 「次へ」 posts.
    action: String,
    edit: bool,
}

/// Which page of the form: 登録 (with the master's search) or 変更 of payee `id`.
pub(crate) enum How {
    New(Lookup),
    Edit(i64),
}

/// 金融機関・支店の検索 on 登録: the banks (or, with a bank chosen, its branches) whose code
/// or カナ starts with `q`, each a link that fills the code in.
#[derive(Debug, Default)]
pub(crate) struct Lookup {
    q: String,
    /// (href, code, name, カナ)
    found: Vec<(String, String, String, String)>,
    searched: bool,
    branches: bool,
}

impl InputPage {
    /// The typed value of reference field `field`.
    fn value(&self, field: &str) -> &str {
        if field == "reference" {
            &self.form.reference
        } else {
            &self.form.reference2
        }
    }
}

pub(crate) fn input_page(
    state: &AppState,
    actor: &Actor,
    b: Business,
    form: BulkPayeeInput,
    err: Option<&Error>,
) -> Response {
    input_page_with(state, actor, b, form, err, How::New(Lookup::default()))
}

pub(crate) fn input_page_with(
    state: &AppState,
    actor: &Actor,
    b: Business,
    form: BulkPayeeInput,
    err: Option<&Error>,
    how: How,
) -> Response {
    let list = PayeeList::of(b).unwrap_or(PayeeList::BulkTransfer);
    let status = err.map_or(StatusCode::OK, |e| status_of(e.kind()));
    let (n, steps, action, edit, lookup) = match how {
        How::New(lookup) => (
            1,
            &REGISTER_STEPS,
            format!("{}/new", base(b)),
            false,
            lookup,
        ),
        How::Edit(id) => (
            7,
            &CHANGE_STEPS,
            format!("{}/{id}/edit", base(b)),
            true,
            Lookup::default(),
        ),
    };
    render_status(
        status,
        &InputPage {
            frame: Frame::new(state, actor, screen(b, n), title_of(list, n)),
            steps: confirm::steps(steps, 0),
            noun: list.noun(),
            base: base(b),
            name_label: list.name_label(),
            references: list
                .references()
                .iter()
                .zip(["reference", "reference2"])
                .map(|(r, f)| (f, r.label, r.digits))
                .collect(),
            form,
            errors: Messages::of(err),
            lookup,
            action,
            edit,
        },
    )
}

/// `?q=&bank_code=&branch_code=` of 登録: a search of the master, and codes chosen.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    q: String,
    bank_code: String,
    branch_code: String,
}

/// Refused (and recorded) without 振込先管理 (請求先管理) of `list`.
pub(crate) async fn must_manage(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    what: &str,
) -> Result<(), PageError> {
    if may_manage(actor, list) {
        return Ok(());
    }
    let what = list.operation(what);
    Err(actor
        .refuse(state, list.area(), &what, Error::Forbidden)
        .await
        .into())
}

/// GET /bulk/{business}/payees/new?q=&bank_code=&branch_code= — 登録, with the 全銀協
/// master searched by code or カナ (a bank, then its branch) to fill the codes in.
pub async fn view_new_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    must_manage(&state, &actor, list, "の登録").await?;
    let form = BulkPayeeInput {
        bank_code: q.bank_code.clone(),
        branch_code: q.branch_code.clone(),
        ..BulkPayeeInput::default()
    };
    let mut lookup = Lookup {
        q: q.q.clone(),
        branches: !q.bank_code.is_empty(),
        ..Lookup::default()
    };
    if !q.q.trim().is_empty() {
        lookup.searched = true;
        let found = match crate::reference::lookup(&state, &q.bank_code, &q.q).await {
            Ok(found) => found,
            Err(Error::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let base = base(b);
        lookup.found = found
            .into_iter()
            .map(|e| {
                let href = if e.branch_code.is_empty() {
                    format!("{base}/new?bank_code={}", e.bank_code)
                } else {
                    format!(
                        "{base}/new?bank_code={}&branch_code={}",
                        e.bank_code, e.branch_code
                    )
                };
                let code = if e.branch_code.is_empty() {
                    e.bank_code
                } else {
                    e.branch_code
                };
                (href, code, e.name, e.kana)
            })
            .collect();
    }
    Ok(input_page_with(
        &state,
        &actor,
        b,
        form,
        None,
        How::New(lookup),
    ))
}

/// What a 確認 of 振込先管理 is: its screen (see [`screen`]), its steps, its lead with `{}`
/// for 振込先 / 請求先, and where 「実行」 and 「戻る」 post under the list's path.
pub(crate) struct ConfirmOf {
    pub n: usize,
    pub steps: &'static [&'static str; 3],
    pub lead: &'static str,
    pub execute: String,
    pub back: String,
}

/// The 確認 page of `of` for `b`'s list, showing `sections`, with the key `key`.
pub(crate) fn confirm_of(
    state: &AppState,
    actor: &Actor,
    b: Business,
    of: ConfirmOf,
    sections: Vec<Section>,
    key: String,
) -> ConfirmPage {
    let list = PayeeList::of(b).unwrap_or(PayeeList::BulkTransfer);
    ConfirmPage::new(
        Frame::new(state, actor, screen(b, of.n), title_of(list, of.n)),
        confirm::steps(of.steps, 1),
        of.lead.replace("{}", list.noun()),
        sections,
        key,
        format!("{}{}", base(b), of.execute),
        format!("{}{}", base(b), of.back),
    )
}

fn register_confirm(
    state: &AppState,
    actor: &Actor,
    b: Business,
    form: &PayeeForm,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let of = ConfirmOf {
        n: 2,
        steps: &REGISTER_STEPS,
        lead: "以下の内容で{}を登録します。",
        execute: "/new/execute".into(),
        back: "/new/back".into(),
    };
    confirm_of(state, actor, b, of, sections, key)
        .carrying(form.hidden())
        .respond_after(error)
}

/// POST /bulk/{business}/payees/new — 「次へ」.
pub async fn view_new_post(
    State(state): State<AppState>,
    Path(business): Path<String>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    match payees::preview_register(&state, &actor, list, &form.payee).await {
        Ok(sections) => Ok(register_confirm(
            &state,
            &actor,
            b,
            &form,
            sections,
            confirm::new_idempotency_key(),
            None,
        )),
        Err(e @ (Error::Invalid(_) | Error::PayeeTaken)) => {
            Ok(input_page(&state, &actor, b, form.payee, Some(&e)))
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /bulk/{business}/payees/new/back — 「戻る」: the form with what was typed.
pub async fn view_new_back_post(
    State(state): State<AppState>,
    Path(business): Path<String>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    list_of(b)?;
    Ok(input_page(&state, &actor, b, form.payee, None))
}

/// POST /bulk/{business}/payees/new/execute — 「実行」.
pub async fn view_new_execute_post(
    State(state): State<AppState>,
    Path(business): Path<String>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key.clone();
    match payees::register(&state, &actor, list, &form.payee, &confirmation, &key).await {
        Ok((done, _)) => {
            Ok(Redirect::to(&done.result_url(&format!("{}/result", base(b)))).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = payees::preview_register(&state, &actor, list, &form.payee).await?;
            Ok(register_confirm(
                &state,
                &actor,
                b,
                &form,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(err @ (Error::Invalid(_) | Error::PayeeTaken)) => {
            Ok(input_page(&state, &actor, b, form.payee, Some(&err)))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /bulk/{business}/payees/back — 「戻る」 from a 確認: the list.
pub async fn view_back_post(
    Path(business): Path<String>,
    PageForm { .. }: PageForm<Actor, serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    Ok(Redirect::to(&base(b)).into_response())
}

/// GET /bulk/{business}/payees/result?key= — 結果 of 登録, 一括登録 or 削除.
pub async fn view_result_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let sections = confirm::result(&state, &actor, &q.key, ResultKind::PayeeChanged).await?;
    let deleted = sections.iter().any(|s| s.title.starts_with("削除する"));
    let changed = sections
        .iter()
        .any(|s| s.title == super::payee_change::CHANGED);
    let (title, lead, steps): (&'static str, String, &[&str; 3]) = if changed {
        (
            title_of(list, 9),
            format!("以下の内容で{}を変更しました。", list.noun()),
            &CHANGE_STEPS,
        )
    } else if deleted {
        (
            title_of(list, 10),
            format!("以下の{}を削除しました。", list.noun()),
            &DELETE_STEPS,
        )
    } else {
        (
            title_of(list, 3),
            format!("以下の内容で{}を登録しました。", list.noun()),
            &REGISTER_STEPS,
        )
    };
    Ok(ResultPage {
        frame: Frame::new(&state, &actor, screen(b, 3), title),
        steps: confirm::steps(steps, 2),
        lead,
        shows_changes: changed,
        sections,
        links: vec![(base(b), format!("{}へ", title_of(list, 0)))],
        print_href: String::new(),
    }
    .respond())
}

/// GET /bulk/{business}/payees/download?encoding= — the list as CSV (UTF-8 with a BOM, or
/// Shift_JIS), in the columns 一括登録 reads.
pub async fn view_download_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<super::results::EncodingQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let encoding = q.encoding()?;
    let bytes = payees::download(&state, &actor, list, encoding).await?;
    Ok(csv_response(bytes, encoding, list))
}

/// The download of `bytes`, the CSV of `list`.
pub(crate) fn csv_response(bytes: Vec<u8>, encoding: Encoding, list: PayeeList) -> Response {
    let charset = match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::ShiftJis => "shift_jis",
    };
    (
        [
            (header::CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-payees.csv\"", list.code()),
            ),
        ],
        bytes,
    )
        .into_response()
}
