//! 利用者管理 of the one-time passwords: ワンタイムパスワードの利用停止解除 (BRSK021–023) and
//! トークンの失効 (BRSK031–033), one service function each, shared by the screens and
//! the API, both through the confirmed-change pipeline.
//!
//! - 利用停止解除: an administrator releases another user's locked one-time password (the
//!   マスターユーザ's too: a locked master is released by a 管理者). Nobody releases their
//!   own.
//! - トークンの失効: an administrator revokes a user's token (their own included); the
//!   user's sessions end at once, and they register a new token at their next login, once
//!   `otp_reregistration_wait_minutes` have passed.

use madoguchi_domain::{Error, HistoryArea, jst};
use madoguchi_store::{OtpToken, UserRecord};

use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Row, Section,
};
use crate::state::AppState;
use crate::web::actor::AdminActor;

pub const RELEASE: &str = "ワンタイムパスワード利用停止解除";
pub const REVOKE: &str = "トークン失効";

/// A user with their token, as the lists show them.
#[derive(Debug, Clone)]
pub struct OtpRow {
    pub user: UserRecord,
    pub token: Option<OtpToken>,
}

impl OtpRow {
    /// ワンタイムパスワード as shown: 利用停止 or 利用可能.
    pub fn otp_state(&self) -> &'static str {
        if self.user.otp_locked {
            "利用停止"
        } else {
            "利用可能"
        }
    }

    /// トークンシリアル番号, or 未登録.
    pub fn serial(&self) -> String {
        self.token
            .as_ref()
            .map(|t| t.serial.clone())
            .unwrap_or_else(|| "未登録".to_owned())
    }

    /// 登録日時 of the token, or —.
    pub fn registered(&self) -> String {
        self.token
            .as_ref()
            .map(|t| jst::format_minutes(t.registered_at))
            .unwrap_or_else(|| "—".to_owned())
    }
}

/// Every user of the company with their token.
pub async fn overview(state: &AppState, admin: &AdminActor) -> Result<Vec<OtpRow>, Error> {
    let scope = admin.scope(state);
    let users = scope.users().await?;
    let tokens = scope.tokens().await?;
    Ok(users
        .into_iter()
        .map(|user| OtpRow {
            token: tokens.iter().find(|t| t.user_id == user.id).cloned(),
            user,
        })
        .collect())
}

/// One user of the company with their token.
async fn row(state: &AppState, admin: &AdminActor, user_id: i64) -> Result<OtpRow, Error> {
    overview(state, admin)
        .await?
        .into_iter()
        .find(|r| r.user.id == user_id)
        .ok_or(Error::NotFound)
}

/// May `admin` release `row`'s one-time password (the list offers 選択 only then)?
pub fn releasable(admin: &AdminActor, row: &OtpRow) -> bool {
    release_rule(admin, row).is_ok()
}

fn release_rule(admin: &AdminActor, row: &OtpRow) -> Result<(), Error> {
    if row.user.id == admin.actor().user().id {
        return Err(Error::NotAllowed {
            what: "ご自身のワンタイムパスワードの利用停止は解除できません。他の管理者ユーザに依頼してください。",
        });
    }
    if !row.user.otp_locked {
        return Err(Error::NotAllowed {
            what: "この利用者のワンタイムパスワードは利用停止になっていません。",
        });
    }
    Ok(())
}

/// May `row`'s token be revoked (it has one)?
pub fn revocable(row: &OtpRow) -> bool {
    revoke_rule(row).is_ok()
}

fn revoke_rule(row: &OtpRow) -> Result<(), Error> {
    if row.token.is_none() {
        return Err(Error::NotAllowed {
            what: "この利用者にはトークンが登録されていません。",
        });
    }
    Ok(())
}

fn identity(row: &OtpRow) -> Vec<Row> {
    let u = &row.user;
    vec![
        Row::text("ログインID", &u.login_id, &u.login_id),
        Row::text("利用者名", &u.name, &u.name),
    ]
}

/// What 確認 and 結果 of 利用停止解除 show.
fn release_sections(row: &OtpRow) -> Vec<Section> {
    let mut rows = identity(row);
    rows.push(Row::text(
        "ワンタイムパスワード",
        row.otp_state(),
        "利用可能",
    ));
    vec![Section::new("ワンタイムパスワードの利用停止解除", rows)]
}

/// What 確認 and 結果 of トークンの失効 show.
fn revoke_sections(row: &OtpRow) -> Vec<Section> {
    let mut rows = identity(row);
    rows.push(Row::text(
        "トークンシリアル番号",
        row.serial(),
        row.serial(),
    ));
    rows.push(Row::text("登録日時", row.registered(), row.registered()));
    rows.push(Row::text("トークン状態", "利用中", "失効済み"));
    vec![Section::new("トークンの失効", rows)]
}

/// The target of an operation, checked by `rule` (a refusal recorded).
async fn checked(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    operation: &str,
    rule: impl Fn(&OtpRow) -> Result<(), Error>,
) -> Result<OtpRow, Error> {
    let row = row(state, admin, user_id).await?;
    let verdict = rule(&row);
    admin
        .actor()
        .allowed(state, HistoryArea::Users, operation, row, verdict)
        .await
}

/// 確認 of 利用停止解除 (BRSK022).
pub async fn release_preview(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
) -> Result<Vec<Section>, Error> {
    let row = checked(state, admin, user_id, RELEASE, |r| release_rule(admin, r)).await?;
    Ok(release_sections(&row))
}

/// 確認 of トークンの失効 (BRSK032).
pub async fn revoke_preview(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
) -> Result<Vec<Section>, Error> {
    let row = checked(state, admin, user_id, REVOKE, revoke_rule).await?;
    Ok(revoke_sections(&row))
}

fn operation(code: &'static str, label: &str, result: ResultKind) -> Operation {
    Operation {
        code,
        area: HistoryArea::Users,
        label: label.to_owned(),
        result,
    }
}

fn details(row: &OtpRow) -> serde_json::Value {
    serde_json::json!({
        "user_id": row.user.id,
        "login_id": row.user.login_id,
        "serial": row.token.as_ref().map(|t| t.serial.clone()),
    })
}

/// ワンタイムパスワードの利用停止解除 (実行).
pub async fn release(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({ "target": user_id });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let row = checked(state, admin, user_id, RELEASE, |r| release_rule(admin, r)).await?;
        Ok(Prepared {
            details: details(&row),
            sections: release_sections(&row),
            change: (),
        })
    };
    let write = async |()| Ok(admin.scope(state).otp_release_write(user_id));
    let op = operation("users.otp_release", RELEASE, ResultKind::OtpReleased);
    let (done, _) = confirm::execute(state, admin.actor(), &op, request, prepare, write).await?;
    Ok(done)
}

/// トークンの失効 (実行): the user's sessions end in the same transaction — the acting
/// administrator's own, when they revoke their own token.
pub async fn revoke(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({ "target": user_id });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let row = checked(state, admin, user_id, REVOKE, revoke_rule).await?;
        Ok(Prepared {
            details: details(&row),
            sections: revoke_sections(&row),
            change: (),
        })
    };
    let write = async |()| Ok(admin.scope(state).token_revoke_write(user_id));
    let op = operation("users.token_revoke", REVOKE, ResultKind::TokenRevoked);
    let (done, _) = confirm::execute(state, admin.actor(), &op, request, prepare, write).await?;
    Ok(done)
}
