//! 手数料情報の変更 and 照会, and the fee simulator: one set of functions for the screens
//! and the JSON API.

use madoguchi_domain::fees::{
    FeeCalculation, FeeInput, FeeKind, FeeMethod, FeeSetting, FeeTable, PayeeFeeRule, Route,
};
use madoguchi_domain::{Error, FieldErrors, HistoryArea, Yen, jst};
use madoguchi_store::{StandardTable, StoredFee};

use crate::confirm::{
    self, Confirmation, Executed, Grid, GridLine, Operation, Prepared, Request, ResultKind, Row,
    Section,
};
use crate::state::AppState;
use crate::web::actor::AdminActor;

/// 操作内容 of a change of `kind`.
pub fn operation(kind: FeeKind) -> String {
    format!("{}の変更", kind.label())
}

/// Today in 日本時間, `YYYY-MM-DD`.
pub fn today(state: &AppState) -> String {
    jst::date_of(state.now())
}

/// A company's setting of one kind, with the standard table in force today.
#[derive(Debug, Clone)]
pub struct FeeView {
    pub kind: FeeKind,
    pub stored: StoredFee,
    pub standard: Option<StandardTable>,
}

impl FeeView {
    /// The table that applies now: the standard one with 使用する, else the company's own.
    pub fn table_in_force(&self) -> Option<&FeeTable> {
        table_for(&self.stored.setting, self.standard.as_ref())
    }
}

fn table_for<'a>(
    setting: &'a FeeSetting,
    standard: Option<&'a StandardTable>,
) -> Option<&'a FeeTable> {
    setting.table(standard.map(|s| &s.table))
}

pub async fn load(state: &AppState, admin: &AdminActor, kind: FeeKind) -> Result<FeeView, Error> {
    let scope = admin.scope(state);
    let stored = scope.company().fee_setting(kind).await?;
    let standard = scope.company().standard_table_on(&today(state)).await?;
    Ok(FeeView {
        kind,
        stored,
        standard,
    })
}

/// 「30,000円以上 50,000円未満」 for tier `i` of `table`.
pub fn range_text(table: &FeeTable, i: usize) -> String {
    let lower = if i == 0 {
        None
    } else {
        table.boundaries().get(i - 1)
    };
    let upper = table.boundaries().get(i);
    match (lower, upper) {
        (None, None) => "全額".to_owned(),
        (None, Some(u)) => format!("{}未満", u),
        (Some(l), None) => format!("{}以上", l),
        (Some(l), Some(u)) => format!("{}以上 {}未満", l, u),
    }
}

/// The whole setting before and after, as 確認, 結果 and 照会 show it: the choices, then
/// the table in force as a grid (one line per range, one cell per 振込パターン), every
/// item and cell marked changed on its own.
pub fn sections(
    kind: FeeKind,
    before: &FeeSetting,
    after: &FeeSetting,
    standard: Option<&StandardTable>,
) -> Vec<Section> {
    let uses = |s: &FeeSetting| {
        if s.use_standard {
            "使用する（常に最新の基準手数料を使用する）"
        } else {
            "使用しない（個別に登録した手数料を使用する）"
        }
    };
    let mut rows = vec![Row::text("基準手数料の使用有無", uses(before), uses(after))];
    if kind.has_method() {
        rows.push(Row::text(
            "手数料計算方法",
            before.method.label(),
            after.method.label(),
        ));
    }
    if kind.has_minimum() {
        rows.push(Row::amount(
            "適用最低支払金額",
            before.minimum_payment.to_string(),
            after.minimum_payment.to_string(),
        ));
    }
    let title = match (after.use_standard, standard) {
        (true, Some(s)) => format!(
            "{}ごとの手数料（基準手数料「{}」{}適用）",
            kind.range_label(),
            s.name,
            jst::format_date(&s.effective_date)
        ),
        _ => format!("{}ごとの手数料（税込）", kind.range_label()),
    };
    let (b, a) = (table_for(before, standard), table_for(after, standard));
    let table = match (b, a) {
        (_, None) => Section::new(
            title,
            vec![Row::text(
                "手数料",
                "基準手数料が登録されていません",
                "基準手数料が登録されていません",
            )],
        ),
        (b, Some(a)) => Section {
            grid: Some(fee_grid(kind, b, a)),
            ..Section::new(title, Vec::new())
        },
    };
    vec![Section::new(kind.label(), rows), table]
}

/// The fee table `after` against `before` (none: every cell new).
fn fee_grid(kind: FeeKind, before: Option<&FeeTable>, after: &FeeTable) -> Grid {
    let tiers = after
        .tiers()
        .len()
        .max(before.map_or(0, |b| b.tiers().len()));
    let none = || "（なし）".to_owned();
    let range = |t: Option<&FeeTable>, i: usize| {
        t.filter(|t| i < t.tiers().len())
            .map(|t| range_text(t, i))
            .unwrap_or_else(none)
    };
    let fee = |t: Option<&FeeTable>, i: usize, r: Route| {
        t.filter(|t| i < t.tiers().len())
            .map(|t| t.fee(i, r).to_string())
            .unwrap_or_else(none)
    };
    let lines = (0..tiers)
        .map(|i| GridLine {
            label: Row::text(
                format!("範囲{}", i + 1),
                range(before, i),
                range(Some(after), i),
            ),
            cells: Route::ALL
                .iter()
                .map(|r| Row::amount(r.label(), fee(before, i, *r), fee(Some(after), i, *r)))
                .collect(),
        })
        .collect();
    let mut header = vec![kind.range_label().to_owned()];
    header.extend(Route::ALL.iter().map(|r| r.label().to_owned()));
    Grid { header, lines }
}

/// A checked change, ready for 確認.
#[derive(Debug, Clone)]
pub struct Preview {
    pub setting: FeeSetting,
    pub sections: Vec<Section>,
}

async fn refuse(state: &AppState, admin: &AdminActor, kind: FeeKind, err: Error) -> Error {
    admin
        .actor()
        .refuse_input(state, HistoryArea::Company, &operation(kind), err)
        .await
}

/// 変更: checks the input and that nobody changed the setting since `version`.
pub async fn preview(
    state: &AppState,
    admin: &AdminActor,
    kind: FeeKind,
    input: &FeeInput,
    version: i64,
) -> Result<(FeeView, Preview), Error> {
    let view = load(state, admin, kind).await?;
    if version != view.stored.version {
        return Err(refuse(state, admin, kind, Error::Stale).await);
    }
    let mut setting = match input.parse(kind) {
        Ok(s) => s,
        Err(e) => return Err(refuse(state, admin, kind, e).await),
    };
    // With 使用する the company's own table is kept for when it stops using the standard.
    if setting.use_standard && setting.table.is_none() {
        setting.table = view.stored.setting.table.clone();
    }
    let sections = sections(kind, &view.stored.setting, &setting, view.standard.as_ref());
    Ok((view, Preview { setting, sections }))
}

/// The operation of 実行 for `kind`.
fn operation_of(kind: FeeKind) -> Operation {
    Operation {
        code: match kind {
            FeeKind::PayeeTransfer => "fees.payee_transfer",
            FeeKind::PayeeBulk => "fees.payee_bulk",
            FeeKind::PayerBulk => "fees.payer_bulk",
        },
        area: HistoryArea::Company,
        label: operation(kind),
        result: result_kind(kind),
    }
}

/// The 結果 of a change of `kind`.
pub fn result_kind(kind: FeeKind) -> ResultKind {
    match kind {
        FeeKind::PayeeTransfer => ResultKind::PayeeTransferFee,
        FeeKind::PayeeBulk => ResultKind::PayeeBulkFee,
        FeeKind::PayerBulk => ResultKind::PayerBulkFee,
    }
}

/// 実行: everything again, the 確認用パスワード, then the change and its history entry in
/// one transaction (the confirmed-change pipeline); a repeat of the same request changes
/// nothing.
pub async fn execute(
    state: &AppState,
    admin: &AdminActor,
    kind: FeeKind,
    input: &FeeInput,
    version: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({"version": version, "fields": input.fields()});
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let (_, preview) = preview(state, admin, kind, input, version).await?;
        Ok(Prepared {
            details: serde_json::json!({
                "changes": Section::changes_json(&preview.sections),
                "version": version,
            }),
            change: preview.setting,
            sections: preview.sections,
        })
    };
    let write = async |setting| Ok(admin.scope(state).fee_write(kind, version, setting));
    let op = operation_of(kind);
    let (done, _) = confirm::execute(state, admin.actor(), &op, request, prepare, write).await?;
    Ok(done)
}

/// What the simulator is asked.
#[derive(Debug, Clone, Default)]
pub struct SimulationInput {
    pub payment: String,
    pub route: String,
    pub date: String,
}

/// One line of the simulator's answer.
#[derive(Debug, Clone)]
pub struct SimulationLine {
    /// Which table and method.
    pub label: String,
    /// The company's current choice.
    pub current: bool,
    pub result: Result<FeeCalculation, Error>,
}

/// The simulator's answer.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub payment: Yen,
    pub route: Route,
    pub date: String,
    /// The standard version in force on that date, if any.
    pub standard: Option<StandardTable>,
    pub lines: Vec<SimulationLine>,
}

/// 手数料シミュレーション: for 支払金額, 振込パターン and 振込指定日, what the company's current
/// settings deduct and what the bank charges, under each 手数料計算方法 of 総合振込 and for
/// 振込振替, so an administrator sees what a choice means before making it.
pub async fn simulate(
    state: &AppState,
    admin: &AdminActor,
    input: &SimulationInput,
) -> Result<Simulation, Error> {
    let mut errors = FieldErrors::new();
    let payment = errors.check("payment_amount", Yen::parse("支払金額", &input.payment, 12));
    let route = match Route::from_key(&input.route) {
        Some(r) => Some(r),
        None => {
            errors.add(
                "route",
                Error::Choice {
                    label: "振込パターン",
                    choices: "同一店宛、本支店宛、他行宛",
                },
            );
            None
        }
    };
    let date = errors.check("date", jst::parse_date("振込指定日", &input.date));
    errors.into_result()?;
    let (Some(payment), Some(route), Some(date)) = (payment, route, date) else {
        return Err(Error::Internal);
    };
    let scope = admin.scope(state);
    let company = *scope.company();
    let standard = company.standard_table_on(&date).await?;
    let setting = |kind| async move { company.fee_setting(kind).await };
    let bulk = setting(FeeKind::PayeeBulk).await?.setting;
    let transfer = setting(FeeKind::PayeeTransfer).await?.setting;
    let payer = setting(FeeKind::PayerBulk).await?.setting;
    let no_table = Error::NoStandardTable;
    let payer_table = table_for(&payer, standard.as_ref()).cloned();
    let mut lines = Vec::new();
    for method in FeeMethod::ALL {
        let result = match (table_for(&bulk, standard.as_ref()), &payer_table) {
            (Some(t), Some(p)) => PayeeFeeRule {
                table: t.clone(),
                method,
                minimum_payment: bulk.minimum_payment,
            }
            .calculate(p, route, payment),
            _ => Err(no_table.clone()),
        };
        lines.push(SimulationLine {
            label: format!("総合振込（{}）", method.label()),
            current: method == bulk.method,
            result,
        });
    }
    let standard_table = standard.as_ref().map(|s| s.table.clone());
    let result = match (table_for(&transfer, standard.as_ref()), &standard_table) {
        (Some(t), Some(real)) => PayeeFeeRule {
            table: t.clone(),
            method: FeeMethod::Unshifted,
            minimum_payment: transfer.minimum_payment,
        }
        .calculate(real, route, payment),
        _ => Err(no_table),
    };
    lines.push(SimulationLine {
        label: "振込振替（据置型）".to_owned(),
        current: true,
        result,
    });
    Ok(Simulation {
        payment,
        route,
        date,
        standard,
        lines,
    })
}
