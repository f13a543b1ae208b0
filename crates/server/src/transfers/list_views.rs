//! Screens of 振込振替 after 確定: 承認待ち一覧 (BFKF011), 取引状況照会 (BFKF021), 取引詳細
//! (BFKF022, with the buttons of the acts the user may do now: 承認, 差戻し, 引戻し, 削除),
//! their 確認 (BFKF012, with the 確認用パスワード) and 結果 (BFKF013).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::{Error, jst};
use madoguchi_store::TransferRecord;

use super::acts::{self, Act, List};
use super::shown;
use super::views::KeyQuery;
use crate::confirm::{self, Confirmation, ResultKind, Section};
use crate::confirm_pages::{ConfirmPage, ResultPage};
pub use crate::orders::ActForm;
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::PageError;
use crate::web::form::PageForm;
use crate::web::page::{Frame, render};

/// The steps of an act on an order.
const STEPS: [&str; 3] = ["取引を選択", "内容確認", "完了"];

struct Line {
    id: i64,
    date: String,
    payee: String,
    bank: String,
    amount: String,
    state: &'static str,
    result: &'static str,
    deadline: String,
}

fn line(t: &TransferRecord) -> Line {
    Line {
        id: t.id,
        date: jst::format_date(&t.execution_date),
        payee: t.payee.name.clone(),
        bank: format!("{}-{}", t.payee.bank_code, t.payee.branch_code),
        amount: shown::yen(t.amount),
        state: t.approval.state.label(),
        result: shown::host_label(t),
        deadline: jst::format_minutes(t.deadline),
    }
}

#[derive(Template)]
#[template(path = "transfers/list.html")]
struct ListPage {
    frame: Frame,
    lead: &'static str,
    waiting: bool,
    lines: Vec<Line>,
}

async fn list(state: &AppState, actor: &Actor, which: List) -> Result<Response, PageError> {
    let found = acts::list(state, actor, which).await?;
    let (id, lead) = match which {
        List::Waiting => (
            "BFKF011",
            "承認者に指定された取引のうち、承認できるものを表示しています。取引番号を選択してください。",
        ),
        List::Status => (
            "BFKF021",
            "依頼した取引と承認者に指定された取引（全取引照会の権限があれば企業内のすべての取引）を新しい順に表示しています。",
        ),
    };
    Ok(render(&ListPage {
        frame: Frame::new(state, actor, id, which.label()),
        lead,
        waiting: which == List::Waiting,
        lines: found.iter().map(line).collect(),
    }))
}

/// GET /transfers/approvals — 承認待ち一覧.
pub async fn view_approvals_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, PageError> {
    list(&state, &actor, List::Waiting).await
}

/// GET /transfers/status — 取引状況照会.
pub async fn view_status_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, PageError> {
    list(&state, &actor, List::Status).await
}

#[derive(Template)]
#[template(path = "transfers/detail.html")]
struct DetailPage {
    frame: Frame,
    id: i64,
    sections: Vec<Section>,
    /// (path segment, button)
    acts: Vec<(&'static str, &'static str)>,
    created: String,
    deadline: String,
    result: &'static str,
    reason: String,
}

/// GET /transfers/{id} — 取引詳細.
pub async fn view_detail_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let t = acts::detail(&state, &actor, id, "取引状況照会").await?;
    let members = actor.scope(&state).members().await?;
    let sections = acts::sections(&state, &actor, &t, &members).await?;
    let mut acts: Vec<(&str, &str)> = Vec::new();
    if super::revise::may_revise(&actor, &t) {
        acts.push(("edit", "修正"));
    }
    acts.extend(
        acts::available(&actor, &t, state.now())
            .into_iter()
            .map(|a| (a.code(), a.button())),
    );
    Ok(render(&DetailPage {
        frame: Frame::new(&state, &actor, "BFKF022", "取引詳細"),
        id,
        sections,
        acts,
        created: jst::format_minutes(t.created_at),
        deadline: jst::format_minutes(t.deadline),
        result: shown::host_label(&t),
        reason: t.host.map(|h| h.reason).unwrap_or_default(),
    }))
}

fn act_of(code: &str) -> Result<Act, PageError> {
    Act::from_code(code).ok_or(PageError(Error::NotFound))
}

fn confirm_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    act: Act,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    ConfirmPage::new(
        Frame::new(state, actor, "BFKF012", "取引内容確認"),
        confirm::steps(&STEPS, 1),
        format!("以下の取引を{}します。", act.button()),
        sections,
        key,
        format!("/transfers/{id}/{}", act.code()),
        format!("/transfers/{id}/back"),
    )
    .showing_changes()
    .respond_after(error)
}

/// GET /transfers/{id}/{act} — 確認 of 承認・差戻し・引戻し・削除.
pub async fn view_act_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, act)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let act = act_of(&act)?;
    let sections = acts::preview(&state, &actor, id, act).await?;
    Ok(confirm_page(
        &state,
        &actor,
        id,
        act,
        sections,
        confirm::new_idempotency_key(),
        None,
    ))
}

/// POST /transfers/{id}/{act} — 実行 (and `back`: 「戻る」 to 取引詳細).
pub async fn view_act_post(
    State(state): State<AppState>,
    Path((id, act)): Path<(i64, String)>,
    PageForm { actor, form }: PageForm<Actor, ActForm>,
) -> Result<Response, PageError> {
    if act == "back" {
        return Ok(Redirect::to(&format!("/transfers/{id}")).into_response());
    }
    let act = act_of(&act)?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key;
    match acts::act(&state, &actor, id, act, &confirmation, &key).await {
        Ok(done) => Ok(Redirect::to(&done.result_url("/transfers/done")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = acts::preview(&state, &actor, id, act).await?;
            Ok(confirm_page(
                &state,
                &actor,
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

/// GET /transfers/done?key= — 結果 of 承認・差戻し・引戻し・削除.
pub async fn view_done_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let sections = confirm::result(&state, &actor, &q.key, ResultKind::TransferActed).await?;
    let after = sections
        .iter()
        .flat_map(|s| &s.rows)
        .find(|r| r.label == "状態")
        .map(|r| r.after.clone())
        .unwrap_or_default();
    Ok(ResultPage {
        frame: Frame::new(&state, &actor, "BFKF013", "取引結果"),
        steps: confirm::steps(&STEPS, 2),
        lead: format!("取引の状態を「{after}」にしました。"),
        shows_changes: true,
        sections,
        links: vec![
            (
                "/transfers/approvals".to_owned(),
                "承認待ち一覧へ".to_owned(),
            ),
            ("/transfers/status".to_owned(), "取引状況照会へ".to_owned()),
        ],
        print_href: String::new(),
    }
    .respond())
}
