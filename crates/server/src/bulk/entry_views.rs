//! The screen of 依頼(画面入力): the account, 振込指定日 (引落日), 手数料負担 (総合振込), the
//! payees of the list (all, or one グループ) each with an amount to type, and the approvers
//! → 「次へ」: the 依頼 stored 作成中, then the 確認 and 確定 every file order has. An error is
//! shown at its field with everything typed kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::bulk::entry::{EntryInput, amount_field, date_label};
use madoguchi_domain::bulk::payee::PayeeList;
use madoguchi_domain::{AccountKind, Business, Error};

use super::entry;
use super::payee_views::{GroupQuery, groups_of};
use super::views::{Approvers, ENTRY_STEPS as STEPS};
use super::{business_of, may, operation, permissions, permitted};
use crate::confirm::{self, Step};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::Messages;
use crate::web::page::{Frame, render_status};

/// 画面ID of 依頼(画面入力) of `b`.
fn screen(b: Business) -> &'static str {
    match b {
        Business::Salary => "BKYF003",
        Business::Bonus => "BSYF003",
        Business::DirectDebit => "BKFF003",
        _ => "BSFK003",
    }
}

struct PayeeLine {
    field: String,
    bank: String,
    branch: String,
    account: String,
    name: String,
    references: Vec<String>,
    amount: String,
    error: String,
}

#[derive(Template)]
#[template(path = "bulk/entry.html")]
struct EntryPage {
    frame: Frame,
    steps: Vec<Step>,
    business: &'static str,
    base: String,
    noun: &'static str,
    account_label: &'static str,
    date_label: &'static str,
    amount_label: &'static str,
    name_label: &'static str,
    reference_labels: Vec<&'static str>,
    accounts: Vec<(String, String)>,
    groups: Vec<String>,
    group: String,
    lines: Vec<PayeeLine>,
    form: EntryInput,
    errors: Messages,
    first_day: String,
    last_day: String,
    fees: bool,
    approvers: Approvers,
    manage: bool,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    b: Business,
    group: &str,
    form: EntryInput,
    error: Option<&Error>,
) -> Result<Response, PageError> {
    let list = PayeeList::of(b).ok_or(Error::NotFound)?;
    let scope = actor.scope(state);
    let user = actor.user();
    let accounts = scope
        .accounts()
        .await?
        .into_iter()
        .filter(|a| user.is_master || user.profile.account_ids.contains(&a.id))
        .map(|a| {
            (
                a.id.to_string(),
                format!("{} {} {}", a.branch_code, a.kind.label(), a.number),
            )
        })
        .collect();
    let payees = scope.bulk_payees(list).await?;
    let groups = groups_of(&payees);
    let errors = Messages::of(error);
    let typed = |id: i64| {
        form.amounts
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    };
    let lines = payees
        .into_iter()
        .filter(|p| group.is_empty() || p.group == group)
        .map(|p| {
            let field = amount_field(p.id);
            PayeeLine {
                bank: format!("{} ({})", p.bank_name, p.bank_code),
                branch: format!("{} ({})", p.branch_name, p.branch_code),
                account: format!(
                    "{} {}",
                    AccountKind::from_code(p.account_kind).map_or("", AccountKind::label),
                    p.number
                ),
                references: [p.reference, p.reference2]
                    .into_iter()
                    .take(list.references().len())
                    .collect(),
                name: p.name,
                amount: typed(p.id),
                error: errors.get(&field).to_owned(),
                field,
            }
        })
        .collect();
    let approvers = Approvers::of(
        state,
        actor,
        b,
        (form.first_approver.clone(), form.last_approver.clone()),
        error,
    )
    .await?;
    let window = state.config.bulk_window(b).map_err(|_| Error::Internal)?;
    let calendar = crate::reference::calendar(state).await?;
    let now = state.now();
    let page = EntryPage {
        frame: Frame::new(state, actor, screen(b), "依頼(画面入力)"),
        steps: confirm::steps(&STEPS, 0),
        business: b.label(),
        base: format!("/bulk/{}", b.key()),
        noun: list.noun(),
        account_label: if b == Business::DirectDebit {
            "入金口座"
        } else {
            "支払口座"
        },
        date_label: date_label(b),
        amount_label: if b == Business::DirectDebit {
            "引落金額"
        } else {
            "振込金額"
        },
        name_label: list.name_label(),
        reference_labels: list.references().iter().map(|r| r.label).collect(),
        accounts,
        groups,
        group: group.to_owned(),
        lines,
        errors,
        first_day: madoguchi_domain::transfer::date_key(window.first_day(&calendar, now)),
        last_day: madoguchi_domain::transfer::date_key(window.last_day(now)),
        form,
        fees: b == Business::BulkTransfer,
        approvers,
        manage: super::payees::may_manage(actor, list),
    };
    let status = error.map_or(axum::http::StatusCode::OK, |e| status_of(e.kind()));
    Ok(render_status(status, &page))
}

/// GET /bulk/{business}/entry?group= — 依頼(画面入力); refused without its permission.
pub async fn view_entry_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let what = operation(b, "画面入力");
    permitted(&state, &actor, b, may(&actor, permissions(b).screen), &what).await?;
    page(&state, &actor, b, &q.group, EntryInput::default(), None).await
}

/// The form's fields as an [`EntryInput`] (and the グループ shown).
fn input_of(fields: Vec<(String, String)>) -> (EntryInput, String) {
    let mut input = EntryInput::default();
    let mut group = String::new();
    for (k, v) in fields {
        match k.as_str() {
            "account_id" => input.account_id = v,
            "date" => input.date = v,
            "fee_side" => input.fee_side = v,
            "first_approver" => input.first_approver = v,
            "last_approver" => input.last_approver = v,
            "group" => group = v,
            other => {
                if let Some(id) = other
                    .strip_prefix("amount_")
                    .and_then(|id| id.parse::<i64>().ok())
                {
                    input.amounts.push((id, v));
                }
            }
        }
    }
    (input, group)
}

/// POST /bulk/{business}/entry — 「次へ」: the 依頼 checked and stored 作成中; its 確認 is
/// next. A refusal shows the page again with what was typed.
pub async fn view_entry_post(
    State(state): State<AppState>,
    Path(business): Path<String>,
    PageForm { actor, form }: PageForm<Actor, Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let (input, group) = input_of(form);
    match entry::enter(&state, &actor, b, &input).await {
        Ok(done) => Ok(
            Redirect::to(&format!("/bulk/{}/orders/{}/confirm", b.key(), done.id)).into_response(),
        ),
        Err(e @ Error::Invalid(_)) => page(&state, &actor, b, &group, input, Some(&e)).await,
        Err(e @ (Error::AboveUserLimit { .. } | Error::NotAnApprover { .. })) => {
            page(&state, &actor, b, &group, input, Some(&e)).await
        }
        Err(other) => Err(other.into()),
    }
}
