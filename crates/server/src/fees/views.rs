//! Screens of 手数料情報: 変更 / 確認 / 結果 for each of the three tables, 照会, and the
//! fee simulator.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::fees::{
    FORM_ROWS, FeeInput, FeeKind, FeeMethod, Route, fee_field, lower_field,
};
use madoguchi_domain::{Error, FieldErrors, jst};
use serde::Deserialize;

use super::service::{self, FeeView, SimulationInput};
use crate::confirm::{self, Confirmation, Section, Step, otp};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};

/// The manual's 手順 of 手数料情報の変更 (3-1 先方負担 / 3-2 当方負担, then 確認 and 完了).
fn steps_of(kind: FeeKind) -> [&'static str; 3] {
    let first = match kind {
        FeeKind::PayeeTransfer | FeeKind::PayeeBulk => "先方負担手数料を変更",
        FeeKind::PayerBulk => "当方負担手数料を変更",
    };
    [first, "変更内容を確認", "変更完了"]
}

fn kind_of(key: &str) -> Result<FeeKind, PageError> {
    FeeKind::from_key(key).ok_or(PageError(Error::NotFound))
}

/// One typed cell of the fee form.
struct Cell {
    field: String,
    label: String,
    value: String,
    error: String,
}

struct FormRow {
    /// `None` for the first row (its range starts at 0 / the minimum).
    lower: Option<Cell>,
    fees: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "fees/input.html")]
struct InputPage {
    frame: Frame,
    steps: Vec<Step>,
    kind_key: &'static str,
    range_label: &'static str,
    has_method: bool,
    has_minimum: bool,
    use_standard: String,
    methods: Vec<(&'static str, &'static str, bool)>,
    minimum: Cell,
    rows: Vec<FormRow>,
    standard_note: String,
    error_summary: String,
    field_errors: Vec<String>,
    version: i64,
    routes: Vec<&'static str>,
}

fn input_page(
    state: &AppState,
    admin: &AdminActor,
    view: &FeeView,
    input: &FeeInput,
    version: i64,
    err: Option<&Error>,
) -> InputPage {
    let kind = view.kind;
    let fields = match err {
        Some(Error::Invalid(f)) => f.clone(),
        _ => FieldErrors::new(),
    };
    let values: BTreeMap<String, String> = input.fields().into_iter().collect();
    let cell = |field: String, label: String| Cell {
        value: values.get(&field).cloned().unwrap_or_default(),
        error: fields.message_for(&field).unwrap_or_default(),
        field,
        label,
    };
    let rows = (0..FORM_ROWS)
        .map(|i| FormRow {
            lower: (i > 0).then(|| {
                cell(
                    lower_field(i),
                    format!("範囲{} {}（円以上）", i + 1, kind.range_label()),
                )
            }),
            fees: Route::ALL
                .iter()
                .map(|r| cell(fee_field(i, *r), format!("範囲{} {}", i + 1, r.label())))
                .collect(),
        })
        .collect();
    InputPage {
        frame: Frame::new(state, admin.actor(), kind.screen_ids()[0], kind.label()),
        steps: confirm::steps(&steps_of(view.kind), 0),
        kind_key: kind.key(),
        range_label: kind.range_label(),
        has_method: kind.has_method(),
        has_minimum: kind.has_minimum(),
        use_standard: input.use_standard.clone(),
        methods: FeeMethod::ALL
            .iter()
            .map(|m| (m.code(), m.label(), m.code() == input.method))
            .collect(),
        minimum: cell("minimum_payment".into(), "適用最低支払金額".into()),
        rows,
        standard_note: match &view.standard {
            Some(s) => format!(
                "現在の基準手数料：「{}」（{}適用）",
                s.name,
                jst::format_date(&s.effective_date)
            ),
            None => "基準手数料はまだ登録されていません。".to_owned(),
        },
        error_summary: err.map(Error::message_ja).unwrap_or_default(),
        // Refusals not tied to one cell (e.g. the table as a whole).
        field_errors: fields
            .iter()
            .filter(|f| f.field == "table" || f.field == "use_standard" || f.field == "method")
            .map(|f| f.error.message_ja())
            .collect(),
        version,
        routes: Route::ALL.iter().map(|r| r.label()).collect(),
    }
}

/// GET /company/fees/{kind} — 変更 input, filled with the current setting.
pub async fn view_fee_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(kind): Path<String>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let view = service::load(&state, &admin, kind).await?;
    let input = FeeInput::from_setting(&view.stored.setting, view.table_in_force());
    Ok(render(&input_page(
        &state,
        &admin,
        &view,
        &input,
        view.stored.version,
        None,
    )))
}

struct FeeForm {
    input: FeeInput,
    version: i64,
    confirmation: Confirmation,
    key: String,
}

impl FeeForm {
    fn read(fields: &BTreeMap<String, String>) -> Self {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        Self {
            input: FeeInput::from_fields(fields),
            version: get("version").parse().unwrap_or(-1),
            confirmation: Confirmation::new(get("confirmation_password"), get(otp::FIELD)),
            key: get("idempotency_key"),
        }
    }
}

/// POST /company/fees/{kind}/load — 「手数料を読み込む」: the bank's current standard fees
/// copied into the rows, everything else as typed.
pub async fn view_fee_load_post(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let view = service::load(&state, &admin, kind).await?;
    let mut form = FeeForm::read(&form);
    match &view.standard {
        Some(s) => {
            form.input.load_table(&s.table);
            form.input.use_standard = "0".to_owned();
            Ok(render(&input_page(
                &state,
                &admin,
                &view,
                &form.input,
                form.version,
                None,
            )))
        }
        None => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &input_page(
                &state,
                &admin,
                &view,
                &form.input,
                form.version,
                Some(&Error::NoStandardTable),
            ),
        )),
    }
}

fn input_again(
    state: &AppState,
    admin: &AdminActor,
    view: &FeeView,
    form: &FeeForm,
    err: &Error,
) -> Response {
    let (input, version) = match err {
        Error::Stale => (
            FeeInput::from_setting(&view.stored.setting, view.table_in_force()),
            view.stored.version,
        ),
        _ => (form.input.clone(), form.version),
    };
    render_status(
        status_of(err.kind()),
        &input_page(state, admin, view, &input, version, Some(err)),
    )
}

/// The 確認 screen for `form`, with a fresh idempotency key and no message.
fn confirm_page(
    state: &AppState,
    admin: &AdminActor,
    kind: FeeKind,
    form: &FeeForm,
    sections: Vec<Section>,
) -> ConfirmPage {
    ConfirmPage {
        frame: Frame::new(state, admin.actor(), kind.screen_ids()[1], kind.label()),
        steps: confirm::steps(&steps_of(kind), 1),
        lead: format!("以下の内容で{}を変更します。", kind.label()),
        sections,
        hidden: form.input.fields(),
        version: form.version,
        idempotency_key: confirm::new_idempotency_key(),
        error: String::new(),
        shows_changes: true,
        nothing_changed: false,
        action: format!("/company/fees/{}/execute", kind.key()),
        back_action: format!("/company/fees/{}/back", kind.key()),
        password_name: "confirmation_password",
    }
}

/// POST /company/fees/{kind} — 変更: check, then 確認.
pub async fn view_fee_post(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let form = FeeForm::read(&form);
    match service::preview(&state, &admin, kind, &form.input, form.version).await {
        Ok((_, p)) => {
            Ok(confirm_page(&state, &admin, kind, &form, p.sections).respond(StatusCode::OK))
        }
        Err(err @ (Error::Invalid(_) | Error::Stale)) => {
            let view = service::load(&state, &admin, kind).await?;
            Ok(input_again(&state, &admin, &view, &form, &err))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /company/fees/{kind}/back — 戻る from 確認.
pub async fn view_fee_back_post(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let view = service::load(&state, &admin, kind).await?;
    let form = FeeForm::read(&form);
    Ok(render(&input_page(
        &state,
        &admin,
        &view,
        &form.input,
        form.version,
        None,
    )))
}

/// POST /company/fees/{kind}/execute — 実行.
pub async fn view_fee_execute_post(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let form = FeeForm::read(&form);
    match service::execute(
        &state,
        &admin,
        kind,
        &form.input,
        form.version,
        &form.confirmation,
        &form.key,
    )
    .await
    {
        Ok(done) => Ok(Redirect::to(
            &done.result_url(&format!("/company/fees/{}/result", kind.key())),
        )
        .into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let (_, p) = service::preview(&state, &admin, kind, &form.input, form.version).await?;
            let message = confirm::password_message(&err, "confirmation_password");
            Ok(ConfirmPage {
                idempotency_key: form.key.clone(),
                error: message,
                ..confirm_page(&state, &admin, kind, &form, p.sections)
            }
            .respond(status_of(err.kind())))
        }
        Err(err @ (Error::Invalid(_) | Error::Stale)) => {
            let view = service::load(&state, &admin, kind).await?;
            Ok(input_again(&state, &admin, &view, &form, &err))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct KeyQuery {
    key: String,
}

/// GET /company/fees/{kind}/result — 結果.
pub async fn view_fee_result_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(kind): Path<String>,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let sections =
        confirm::result(&state, admin.actor(), &q.key, service::result_kind(kind)).await?;
    Ok(ResultPage {
        frame: Frame::new(&state, admin.actor(), kind.screen_ids()[2], kind.label()),
        steps: confirm::steps(&steps_of(kind), 2),
        lead: format!("以下の内容で{}を変更しました。", kind.label()),
        sections,
        shows_changes: true,
        links: vec![("/company".to_owned(), "作業内容選択へ".to_owned())],
        print_href: String::new(),
    }
    .respond())
}

#[derive(Template)]
#[template(path = "fees/view.html")]
struct ViewPage {
    frame: Frame,
    kind_key: &'static str,
    sections: Vec<Section>,
    applies: String,
    versions: Vec<(String, String, bool)>,
}

/// GET /company/fees/{kind}/view — 照会: the setting and the table in force today.
pub async fn view_fee_view_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(kind): Path<String>,
) -> Result<Response, PageError> {
    let kind = kind_of(&kind)?;
    let view = service::load(&state, &admin, kind).await?;
    let setting = &view.stored.setting;
    let sections = service::sections(kind, setting, setting, view.standard.as_ref());
    let applies = match (setting.use_standard, &view.standard) {
        (true, Some(s)) => format!(
            "基準手数料「{}」（{}適用）を使用しています。基準手数料が改定されると、適用日から自動的に新しい手数料が使われます。",
            s.name,
            jst::format_date(&s.effective_date)
        ),
        (true, None) => {
            "基準手数料を使用する設定ですが、基準手数料が登録されていません。".to_owned()
        }
        (false, _) => "個別に登録した手数料を使用しています。".to_owned(),
    };
    let today = service::today(&state);
    let versions = admin
        .scope(&state)
        .company()
        .standard_tables()
        .await?
        .into_iter()
        .map(|s| {
            let current = view.standard.as_ref().is_some_and(|c| c.id == s.id);
            let when = if s.effective_date > today {
                "（予定）"
            } else {
                ""
            };
            (
                format!("{}{}", jst::format_date(&s.effective_date), when),
                s.name,
                current,
            )
        })
        .collect();
    Ok(render(&ViewPage {
        frame: Frame::new(&state, admin.actor(), kind.screen_ids()[3], kind.label()),
        kind_key: kind.key(),
        sections,
        applies,
        versions,
    }))
}

struct SimRow {
    label: String,
    current: bool,
    deduction: String,
    transfer: String,
    real_fee: String,
    difference: String,
    error: String,
}

#[derive(Template)]
#[template(path = "fees/simulate.html")]
struct SimulatePage {
    frame: Frame,
    payment: String,
    route: String,
    date: String,
    routes: Vec<(&'static str, &'static str)>,
    error_summary: String,
    payment_error: String,
    route_error: String,
    date_error: String,
    standard_note: String,
    rows: Vec<SimRow>,
}

#[derive(Deserialize, Default)]
pub struct SimulateQuery {
    payment_amount: Option<String>,
    route: Option<String>,
    date: Option<String>,
}

/// GET /company/fees/simulate — 手数料シミュレーション (a read: the form is a GET).
pub async fn view_simulate_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<SimulateQuery>,
) -> Result<Response, PageError> {
    let asked = q.payment_amount.is_some();
    let input = SimulationInput {
        payment: q.payment_amount.unwrap_or_default(),
        route: q.route.unwrap_or_else(|| Route::OtherBank.key().to_owned()),
        date: q.date.unwrap_or_else(|| service::today(&state)),
    };
    let mut page = SimulatePage {
        frame: Frame::new(&state, admin.actor(), "BKGK041", "手数料シミュレーション"),
        payment: input.payment.clone(),
        route: input.route.clone(),
        date: input.date.clone(),
        routes: Route::ALL.iter().map(|r| (r.key(), r.label())).collect(),
        error_summary: String::new(),
        payment_error: String::new(),
        route_error: String::new(),
        date_error: String::new(),
        standard_note: String::new(),
        rows: Vec::new(),
    };
    if !asked {
        return Ok(render(&page));
    }
    match service::simulate(&state, &admin, &input).await {
        Ok(sim) => {
            page.standard_note = match &sim.standard {
                Some(s) => format!(
                    "{}に適用される基準手数料：「{}」（{}適用）",
                    jst::format_date(&sim.date),
                    s.name,
                    jst::format_date(&s.effective_date)
                ),
                None => format!(
                    "{}に適用される基準手数料はありません。",
                    jst::format_date(&sim.date)
                ),
            };
            page.rows = sim.lines.into_iter().map(sim_row).collect();
            Ok(render(&page))
        }
        Err(err @ Error::Invalid(_)) => {
            if let Error::Invalid(f) = &err {
                page.payment_error = f.message_for("payment_amount").unwrap_or_default();
                page.route_error = f.message_for("route").unwrap_or_default();
                page.date_error = f.message_for("date").unwrap_or_default();
            }
            page.error_summary = err.message_ja();
            Ok(render_status(status_of(err.kind()), &page))
        }
        Err(other) => Err(other.into()),
    }
}

fn sim_row(line: service::SimulationLine) -> SimRow {
    match line.result {
        Ok(c) => {
            let d = c.payer_difference();
            SimRow {
                label: line.label,
                current: line.current,
                deduction: c.deduction.to_string(),
                transfer: c.transfer_amount.to_string(),
                real_fee: c.real_fee.to_string(),
                difference: match d {
                    0 => "なし".to_owned(),
                    d if d > 0 => format!(
                        "差益 {}円",
                        madoguchi_domain::Yen::from_stored(d)
                            .map(|y| y.grouped())
                            .unwrap_or_default()
                    ),
                    d => format!(
                        "差損 {}円",
                        madoguchi_domain::Yen::from_stored(-d)
                            .map(|y| y.grouped())
                            .unwrap_or_default()
                    ),
                },
                error: String::new(),
            }
        }
        Err(e) => SimRow {
            label: line.label,
            current: line.current,
            deduction: String::new(),
            transfer: String::new(),
            real_fee: String::new(),
            difference: String::new(),
            error: e.message_ja(),
        },
    }
}
