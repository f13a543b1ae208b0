//! 利用者管理: 利用者一覧・照会, 新規登録, 変更, 削除 and 利用者停止・解除. One function
//! per operation of the manual, shared by the screens and the JSON API; every 実行 runs
//! through the confirmed-change pipeline.
//!
//! Who may act on whom: nobody but the マスターユーザ itself changes, stops, releases or
//! deletes the マスターユーザ (the bank's operator does it through the CLI); an
//! administrator may not take away their own 管理者権限, delete themselves or release their
//! own lock. The store checks the same rules again in the transaction.

use madoguchi_domain::user_input::{Mode, UserDraft, UserInput};
use madoguchi_domain::{Error, FieldErrors, HistoryArea, Password, jst};
use madoguchi_store::{NewUser, ServiceChange, UserRecord, UserUpdate};

pub use super::context::{CompanyContext, context};
pub use super::shown::{Shown, delete_sections, sections, shown_user};
use super::shown::{profile, shown_draft};
use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Row, Section,
};
use crate::passwords::generate_password;
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::hashing;

/// 操作内容 of each operation.
pub const REGISTER: &str = "利用者情報の新規登録";
pub const CHANGE: &str = "利用者情報の変更";
pub const DELETE: &str = "利用者情報の削除";
pub const RELEASE: &str = "利用者停止・解除";

fn operation(code: &'static str, label: &str, result: ResultKind) -> Operation {
    Operation {
        code,
        area: HistoryArea::Users,
        label: label.to_owned(),
        result,
    }
}

/// 利用者一覧: the company's users that are not deleted.
pub async fn list(state: &AppState, admin: &AdminActor) -> Result<Vec<UserRecord>, Error> {
    admin.scope(state).users().await
}

/// One user of the admin's company (another company's user is simply not found).
pub async fn get(state: &AppState, admin: &AdminActor, user_id: i64) -> Result<UserRecord, Error> {
    admin.scope(state).user(user_id).await
}

/// The input showing `user` as stored (passwords empty, 「変更する」 unchecked).
pub fn input_of(user: &UserRecord) -> UserInput {
    UserInput {
        login_id: user.login_id.clone(),
        login_id_again: user.login_id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        email_again: user.email.clone(),
        admin: if user.has_admin_authority() { "1" } else { "0" }.to_owned(),
        force_change: user.must_change_password,
        permissions: user.profile.permissions.iter().cloned().collect(),
        accounts: user.profile.account_ids.iter().copied().collect(),
        tx_limits: user
            .profile
            .tx_limits
            .iter()
            .map(|(b, y)| (*b, y.get().to_string()))
            .collect(),
        ..UserInput::default()
    }
}

async fn refuse(state: &AppState, admin: &AdminActor, operation: &str, err: Error) -> Error {
    admin
        .actor()
        .refuse_input(state, HistoryArea::Users, operation, err)
        .await
}

fn login_id_taken() -> Error {
    let mut f = FieldErrors::new();
    f.add("login_id", Error::LoginIdTaken);
    Error::Invalid(f)
}

fn is_login_id_taken(err: &Error) -> bool {
    matches!(err, Error::Invalid(f) if f.iter().any(|e| e.error == Error::LoginIdTaken))
}

/// Refuses (recorded) a change of `target` prepared at another `version`: someone
/// changed the user meanwhile.
async fn still_at(
    state: &AppState,
    admin: &AdminActor,
    target: &UserRecord,
    version: i64,
    operation: &str,
) -> Result<(), Error> {
    if target.version != version {
        return Err(refuse(state, admin, operation, Error::Stale).await);
    }
    Ok(())
}

/// Checks one step (0 基本情報, 1 権限, 2 口座・限度額) of the input.
pub fn check_step(
    state: &AppState,
    ctx: &CompanyContext,
    input: &UserInput,
    mode: Mode,
    step: usize,
) -> Result<(), Error> {
    let mut errors = FieldErrors::new();
    match step {
        0 => {
            input.parse_basic(mode, &state.policy, &mut errors);
        }
        1 => {
            input.parse_permissions(&mut errors);
        }
        _ => {
            input.parse_accounts(&ctx.account_ids(), &ctx.limits, &mut errors);
        }
    }
    errors.into_result()
}

/// Only the マスターユーザ itself acts on the マスターユーザ.
fn master_rule(admin: &AdminActor, target: &UserRecord) -> Result<(), Error> {
    if target.is_master && target.id != admin.actor().user().id {
        return Err(Error::NotAllowed {
            what: "マスターユーザの情報は、マスターユーザご本人以外は変更・削除・停止・解除できません。",
        });
    }
    Ok(())
}

/// The rules about who may change whom, beyond the fields.
pub fn check_authority(
    admin: &AdminActor,
    target: Option<&UserRecord>,
    draft: Option<&UserDraft>,
) -> Result<(), Error> {
    let Some(target) = target else { return Ok(()) };
    master_rule(admin, target)?;
    let keeps_admin = draft.is_none_or(|d| d.is_admin);
    if target.is_master && !keeps_admin {
        return Err(Error::NotAllowed {
            what: "マスターユーザの管理者権限は外せません。",
        });
    }
    if target.id == admin.actor().user().id && !keeps_admin {
        return Err(Error::NotAllowed {
            what: "ご自身の管理者権限は外せません。",
        });
    }
    Ok(())
}

/// Refuses opening 変更 of a user the administrator may not change (recorded).
pub async fn check_changeable(
    state: &AppState,
    admin: &AdminActor,
    target: &UserRecord,
) -> Result<(), Error> {
    match check_authority(admin, Some(target), None) {
        Ok(()) => Ok(()),
        Err(e) => Err(refuse(state, admin, CHANGE, e).await),
    }
}

/// A checked registration or change, ready for 確認.
#[derive(Debug, Clone)]
pub struct Preview {
    pub draft: UserDraft,
    pub sections: Vec<Section>,
}

/// 登録 / 変更 → 確認: every step again, the authority rules, and whether this company
/// already has the login ID. Whether another company has it is answered only after the
/// 確認用パスワード, at 実行 (throttled and recorded).
pub async fn preview(
    state: &AppState,
    admin: &AdminActor,
    target: Option<&UserRecord>,
    input: &UserInput,
) -> Result<Preview, Error> {
    let (mode, operation) = if target.is_some() {
        (Mode::Change, CHANGE)
    } else {
        (Mode::Register, REGISTER)
    };
    let ctx = context(state, admin).await?;
    let draft = match input.parse(mode, &state.policy, &ctx.account_ids(), &ctx.limits) {
        Ok(d) => d,
        Err(e) => return Err(refuse(state, admin, operation, e).await),
    };
    if let Err(e) = check_authority(admin, target, Some(&draft)) {
        return Err(refuse(state, admin, operation, e).await);
    }
    let holder = admin
        .scope(state)
        .login_id_holder(&draft.login_id.key())
        .await?;
    if holder.is_some_and(|other| target.is_none_or(|t| t.id != other.id)) {
        return Err(refuse(state, admin, operation, login_id_taken()).await);
    }
    let after = shown_draft(&ctx, &draft, target);
    let before = match target {
        Some(t) => shown_user(&ctx, t),
        None => after.clone(),
    };
    Ok(Preview {
        sections: sections(&before, &after),
        draft,
    })
}

/// What the 操作履歴 keeps of a user: everything but passwords.
fn history_details(p: &Preview, target: Option<&UserRecord>) -> serde_json::Value {
    serde_json::json!({
        "user_id": target.map(|t| t.id),
        "login_id": p.draft.login_id.as_str(),
        "changes": Section::changes_json(&p.sections),
    })
}

/// What a registration or change asks, bound to its key: every field but the typed
/// passwords, which count only as given or not.
fn fingerprint(input: &UserInput, target: Option<(i64, i64)>) -> serde_json::Value {
    let given = |s: &str| !s.is_empty();
    serde_json::json!({
        "target": target,
        "login_id": input.login_id, "name": input.name, "email": input.email,
        "admin": input.admin, "force_change": input.force_change,
        "change_login_password": input.change_login_password,
        "change_confirmation_password": input.change_confirmation_password,
        "login_password": given(&input.login_password),
        "confirmation_password": given(&input.confirmation_password),
        "permissions": input.permissions, "accounts": input.accounts,
        "tx_limits": input.tx_limits,
    })
}

async fn hash(state: &AppState, p: Option<&Password>) -> Result<Option<String>, Error> {
    match p {
        Some(p) => state.hasher.hash(p).await.map(Some).map_err(hashing),
        None => Ok(None),
    }
}

/// After a refusal "login ID taken": counted per administrator; once the answers are used
/// up, the answer no longer tells, and registrations wait.
fn throttle_taken(state: &AppState, admin: &AdminActor, err: Error) -> Error {
    if is_login_id_taken(&err) && !state.limits.taken_answer(admin.actor().user().id) {
        return Error::LoginIdChecksThrottled;
    }
    err
}

/// Refused while the administrator's "login ID taken" answers are used up (recorded).
async fn taken_gate(state: &AppState, admin: &AdminActor, operation: &str) -> Result<(), Error> {
    match state.limits.taken_gate(admin.actor().user().id) {
        Ok(()) => Ok(()),
        Err(e) => Err(admin
            .actor()
            .refuse(state, HistoryArea::Users, operation, e)
            .await),
    }
}

/// 利用者情報の新規登録 (実行).
pub async fn register(
    state: &AppState,
    admin: &AdminActor,
    input: &UserInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    taken_gate(state, admin, REGISTER).await?;
    let fingerprint = fingerprint(input, None);
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let p = preview(state, admin, None, input).await?;
        Ok(Prepared {
            details: history_details(&p, None),
            sections: p.sections,
            change: p.draft,
        })
    };
    let write = async |d: UserDraft| {
        let (Some(login), Some(confirmation)) = (&d.login_password, &d.confirmation_password)
        else {
            return Err(Error::Internal);
        };
        let new = NewUser {
            login_id: d.login_id.as_str().to_owned(),
            login_key: d.login_id.key(),
            name: d.name.as_str().to_owned(),
            email: d.email.clone(),
            is_master: false,
            is_admin: d.is_admin,
            login_password_hash: state.hasher.hash(login).await.map_err(hashing)?,
            confirm_password_hash: Some(state.hasher.hash(confirmation).await.map_err(hashing)?),
            must_change_password: d.force_change,
            must_change_confirmation: d.force_change,
            profile: profile(&d),
        };
        let max = i64::try_from(state.config.max_users_per_company).unwrap_or(i64::MAX);
        Ok(admin.scope(state).register_write(new, max))
    };
    let op = operation("users.register", REGISTER, ResultKind::UserRegistered);
    confirm::execute(state, admin.actor(), &op, request, prepare, write)
        .await
        .map(|(done, _)| done)
        .map_err(|e| throttle_taken(state, admin, e))
}

/// 利用者情報の変更 (実行), at the `version` the input screen was opened at.
pub async fn change(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    version: i64,
    input: &UserInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    taken_gate(state, admin, CHANGE).await?;
    let fingerprint = fingerprint(input, Some((user_id, version)));
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let target = get(state, admin, user_id).await?;
        still_at(state, admin, &target, version, CHANGE).await?;
        let p = preview(state, admin, Some(&target), input).await?;
        Ok(Prepared {
            details: history_details(&p, Some(&target)),
            sections: p.sections,
            change: p.draft,
        })
    };
    let write = async |d: UserDraft| {
        let update = UserUpdate {
            login_id: d.login_id.as_str().to_owned(),
            login_key: d.login_id.key(),
            name: d.name.as_str().to_owned(),
            email: d.email.clone(),
            is_admin: d.is_admin,
            login_password_hash: hash(state, d.login_password.as_ref()).await?,
            confirm_password_hash: hash(state, d.confirmation_password.as_ref()).await?,
            must_change_password: d.force_change,
            // A confirmation password the administrator sets now must be replaced too.
            must_change_confirmation: d.force_change && d.confirmation_password.is_some(),
            profile: profile(&d),
        };
        Ok(admin.scope(state).update_write(user_id, version, update))
    };
    let op = operation("users.change", CHANGE, ResultKind::UserChanged);
    confirm::execute(state, admin.actor(), &op, request, prepare, write)
        .await
        .map(|(done, _)| done)
        .map_err(|e| throttle_taken(state, admin, e))
}

/// Refuses deleting the master or oneself (recorded).
pub async fn check_deletable(
    state: &AppState,
    admin: &AdminActor,
    target: &UserRecord,
) -> Result<(), Error> {
    let refusal = if target.is_master {
        Some("マスターユーザは削除できません。")
    } else if target.id == admin.actor().user().id {
        Some("ご自身を削除することはできません。")
    } else {
        None
    };
    match refusal {
        Some(what) => Err(refuse(state, admin, DELETE, Error::NotAllowed { what }).await),
        None => Ok(()),
    }
}

/// 利用者情報の削除 (実行). The user's sessions end at once; their history stays; their
/// login ID is never given to anyone else.
pub async fn delete(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    version: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({"target": [user_id, version]});
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let target = get(state, admin, user_id).await?;
        check_deletable(state, admin, &target).await?;
        still_at(state, admin, &target, version, DELETE).await?;
        Ok(Prepared {
            details: serde_json::json!({
                "user_id": target.id, "login_id": target.login_id, "name": target.name,
            }),
            sections: delete_sections(&target),
            change: (),
        })
    };
    let write = async |()| Ok(admin.scope(state).delete_write(user_id, version));
    let op = operation("users.delete", DELETE, ResultKind::UserDeleted);
    confirm::execute(state, admin.actor(), &op, request, prepare, write)
        .await
        .map(|(done, _)| done)
}

/// 変更後のサービス状態 of 利用者停止・解除.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewState {
    /// 利用可能: every lock released, a stop lifted.
    Available,
    /// 利用停止 (管理者による利用停止).
    Stopped,
}

impl NewState {
    pub fn label(self) -> &'static str {
        match self {
            NewState::Available => "利用可能",
            NewState::Stopped => "利用停止",
        }
    }
}

/// パスワードの再発行 with 利用可能: new random passwords to be changed at the next login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reissue {
    None,
    Login,
    Confirmation,
    Both,
}

impl Reissue {
    pub fn label(self) -> &'static str {
        match self {
            Reissue::None => "再発行しない",
            Reissue::Login => "ログインパスワードを再発行する（次回ログイン時に変更）",
            Reissue::Confirmation => "確認用パスワードを再発行する（次回ログイン時に変更）",
            Reissue::Both => {
                "ログインパスワード・確認用パスワードを再発行する（次回ログイン時に変更）"
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Reissue::None => "none",
            Reissue::Login => "login",
            Reissue::Confirmation => "confirmation",
            Reissue::Both => "both",
        }
    }
}

impl NewState {
    pub const ALL: [NewState; 2] = [NewState::Available, NewState::Stopped];

    pub fn code(self) -> &'static str {
        match self {
            NewState::Available => "available",
            NewState::Stopped => "stopped",
        }
    }
}

impl Reissue {
    pub const ALL: [Reissue; 4] = [
        Reissue::None,
        Reissue::Login,
        Reissue::Confirmation,
        Reissue::Both,
    ];
}

/// 利用者停止・解除 as typed: 変更後のサービス状態 and パスワードの再発行 (their codes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateInput {
    pub to: String,
    pub reissue: String,
}

/// 利用者停止・解除: what to do for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange {
    pub to: NewState,
    pub reissue: Reissue,
}

impl StateInput {
    /// Both choices, every refusal at its field (`service_state`, `reissue`).
    pub fn parse(&self) -> Result<StateChange, Error> {
        let mut errors = FieldErrors::new();
        let to = NewState::ALL.into_iter().find(|s| s.code() == self.to);
        if to.is_none() {
            let err = if self.to.is_empty() {
                Error::NotSelected {
                    label: "変更後のサービス状態",
                }
            } else {
                Error::Choice {
                    label: "変更後のサービス状態",
                    choices: "利用可能、利用停止",
                }
            };
            errors.add("service_state", err);
        }
        let typed = if self.reissue.is_empty() {
            "none"
        } else {
            self.reissue.as_str()
        };
        let reissue = Reissue::ALL.into_iter().find(|r| r.code() == typed);
        if reissue.is_none() {
            errors.add(
                "reissue",
                Error::Choice {
                    label: "パスワードの再発行",
                    choices: "再発行しない、ログインパスワード、確認用パスワード、両方",
                },
            );
        }
        if to == Some(NewState::Stopped) && reissue.is_some_and(|r| r != Reissue::None) {
            errors.add(
                "reissue",
                Error::NotAllowed {
                    what: "利用停止にする場合、パスワードは再発行できません。",
                },
            );
        }
        errors.into_result()?;
        match (to, reissue) {
            (Some(to), Some(reissue)) => Ok(StateChange { to, reissue }),
            _ => Err(Error::Internal),
        }
    }
}

/// The result of 利用者停止・解除: the new one-time passwords, if any were issued (shown
/// once, never stored in clear or in the 操作履歴).
#[derive(Debug, Clone)]
pub struct Released {
    pub executed: Executed,
    pub new_login_password: Option<String>,
    pub new_confirmation_password: Option<String>,
}

/// Refuses 利用者停止・解除 of oneself or, for anyone but the master, of the master
/// (recorded).
pub async fn check_releasable(
    state: &AppState,
    admin: &AdminActor,
    target: &UserRecord,
) -> Result<(), Error> {
    let refusal = if target.id == admin.actor().user().id {
        Err(Error::NotAllowed {
            what: "ご自身のサービス状態は変更できません。",
        })
    } else {
        master_rule(admin, target)
    };
    match refusal {
        Ok(()) => Ok(()),
        Err(e) => Err(refuse(state, admin, RELEASE, e).await),
    }
}

/// May `admin` change the サービス状態 of `target` (the list shows a button only then)?
pub fn releasable(admin: &AdminActor, target: &UserRecord) -> bool {
    target.id != admin.actor().user().id && master_rule(admin, target).is_ok()
}

/// 利用者停止・解除 (実行), at the `version` the confirm screen was opened at: 利用可能
/// releases every lock and lifts a stop (optionally reissuing passwords); 利用停止 stops
/// the user, whose sessions end at once.
pub async fn change_state(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    version: i64,
    input: &StateInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Released, Error> {
    let fingerprint = serde_json::json!({
        "target": [user_id, version], "to": input.to, "reissue": input.reissue,
    });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let target = get(state, admin, user_id).await?;
        check_releasable(state, admin, &target).await?;
        still_at(state, admin, &target, version, RELEASE).await?;
        let what = match input.parse() {
            Ok(what) => what,
            Err(e) => return Err(refuse(state, admin, RELEASE, e).await),
        };
        let after_state = match what.to {
            NewState::Available => madoguchi_domain::ServiceState::Available,
            NewState::Stopped => madoguchi_domain::ServiceState::Stopped,
        };
        let reissue = what.reissue.label();
        Ok(Prepared {
            details: serde_json::json!({
                "user_id": target.id, "login_id": target.login_id,
                "before": target.service_state().label(), "after": after_state.label(),
                "reissue": what.reissue.code(),
            }),
            sections: vec![Section::new(
                "利用者停止・解除",
                vec![
                    Row::text("ログインID", &target.login_id, &target.login_id),
                    Row::text("利用者名", &target.name, &target.name),
                    Row::text(
                        "サービス状態",
                        target.service_state().label(),
                        after_state.label(),
                    ),
                    Row::text("パスワードの再発行", reissue, reissue),
                ],
            )],
            change: what,
        })
    };
    // New passwords are made and hashed only once the 確認用パスワード is right.
    let issued = std::sync::Mutex::new((None, None));
    let write = async |what: StateChange| {
        let (login, confirmation) = match what.reissue {
            Reissue::None => (false, false),
            Reissue::Login => (true, false),
            Reissue::Confirmation => (false, true),
            Reissue::Both => (true, true),
        };
        let issue = |wanted: bool| {
            wanted.then(|| generate_password(state.policy.min_len, state.policy.max_len))
        };
        let (new_login, new_confirmation) = (issue(login), issue(confirmation));
        let to = match what.to {
            NewState::Stopped => ServiceChange::Stopped,
            NewState::Available => {
                let typed = |p: &Option<String>| p.clone().map(Password::typed);
                ServiceChange::Available {
                    new_hashes: (
                        hash(state, typed(&new_login).as_ref()).await?,
                        hash(state, typed(&new_confirmation).as_ref()).await?,
                    ),
                }
            }
        };
        if let Ok(mut slot) = issued.lock() {
            *slot = (new_login, new_confirmation);
        }
        Ok(admin.scope(state).state_write(user_id, version, to))
    };
    let op = operation("users.service_state", RELEASE, ResultKind::UserReleased);
    let (executed, _) =
        confirm::execute(state, admin.actor(), &op, request, prepare, write).await?;
    let (new_login, new_confirmation) = issued.into_inner().unwrap_or((None, None));
    let shown = |p: Option<String>| if executed.repeated { None } else { p };
    Ok(Released {
        new_login_password: shown(new_login),
        new_confirmation_password: shown(new_confirmation),
        executed,
    })
}

/// 前回ログイン as shown in the list.
pub fn last_login(u: &UserRecord) -> String {
    u.last_login_at
        .map(jst::format_minutes)
        .unwrap_or_else(|| "—".to_owned())
}
