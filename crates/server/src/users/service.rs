//! 利用者管理: 利用者一覧・照会, 新規登録, 変更, 削除 and 利用者停止・解除. One function
//! per operation of the manual, shared by the screens and the JSON API.

use std::collections::BTreeMap;

use madoguchi_domain::user_input::{Mode, UserDraft, UserInput};
use madoguchi_domain::{Error, FieldErrors, HistoryArea, Yen, jst};
use madoguchi_store::{
    Account, Confirmed, NewUser, StoreError, UnlockWhich, UserProfile, UserRecord, UserUpdate,
};

use super::shown::shown_draft;
pub use super::shown::{Shown, delete_sections, sections, shown_user};
use crate::confirm::{self, Executed, Row, Section};
use crate::operator::generate_password;
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{from_store, internal};

/// 操作内容 of each operation.
pub const REGISTER: &str = "利用者情報の新規登録";
pub const CHANGE: &str = "利用者情報の変更";
pub const DELETE: &str = "利用者情報の削除";
pub const RELEASE: &str = "利用者停止・解除";

/// The company facts the user screens need: its accounts and the limits a user's
/// 一回当たり限度額 may not exceed.
#[derive(Debug, Clone)]
pub struct CompanyContext {
    pub accounts: Vec<Account>,
    /// Business key → the company's matching daily limit (振込振替: the largest account
    /// 合計, since a single transfer can never exceed its account's daily limit).
    pub limits: BTreeMap<String, Yen>,
}

impl CompanyContext {
    pub fn account_ids(&self) -> Vec<i64> {
        self.accounts.iter().map(|a| a.id).collect()
    }
}

pub async fn context(state: &AppState, admin: &AdminActor) -> Result<CompanyContext, Error> {
    let company_id = admin.actor().company.id;
    let accounts = state.store.accounts(company_id).await.map_err(from_store)?;
    let settings = state
        .store
        .company_settings(company_id)
        .await
        .map_err(from_store)?
        .settings;
    let transfer = settings
        .accounts
        .values()
        .map(|l| l.transfer_total)
        .max()
        .unwrap_or(Yen::ZERO);
    let limits = [
        ("transfer", transfer),
        ("bulk_transfer", settings.company.bulk_transfer),
        ("salary", settings.company.salary),
        ("bonus", settings.company.bonus),
        ("direct_debit", settings.company.direct_debit),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Ok(CompanyContext { accounts, limits })
}

/// 利用者一覧: the company's users that are not deleted.
pub async fn list(state: &AppState, admin: &AdminActor) -> Result<Vec<UserRecord>, Error> {
    state
        .store
        .users_of(admin.actor().company.id)
        .await
        .map_err(from_store)
}

/// One user of the admin's company (another company's user is simply not found).
pub async fn get(state: &AppState, admin: &AdminActor, user_id: i64) -> Result<UserRecord, Error> {
    state
        .store
        .user(admin.actor().company.id, user_id)
        .await
        .map_err(from_store)?
        .filter(|u| !u.deleted)
        .ok_or(Error::NotFound)
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
            .map(|(k, v)| (k.clone(), v.to_string()))
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

/// The rules about who may change whom, beyond the fields.
fn check_authority(
    admin: &AdminActor,
    target: Option<&UserRecord>,
    draft: &UserDraft,
) -> Result<(), Error> {
    let Some(target) = target else { return Ok(()) };
    if target.is_master && !draft.is_admin {
        return Err(Error::NotAllowed {
            what: "マスターユーザの管理者権限は外せません。",
        });
    }
    if target.id == admin.actor().user.id && !draft.is_admin {
        return Err(Error::NotAllowed {
            what: "ご自身の管理者権限は外せません。",
        });
    }
    Ok(())
}

/// A checked registration or change, ready for 確認.
#[derive(Debug, Clone)]
pub struct Preview {
    pub draft: UserDraft,
    pub sections: Vec<Section>,
}

/// 登録 / 変更 → 確認: every step again, the authority rules, and whether the login ID is
/// free (it is checked once more, atomically, at 実行).
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
    if let Err(e) = check_authority(admin, target, &draft) {
        return Err(refuse(state, admin, operation, e).await);
    }
    let key = draft.login_id.key();
    let holder = state
        .store
        .user_by_login_key(&key)
        .await
        .map_err(from_store)?;
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

pub(super) fn profile(d: &UserDraft) -> UserProfile {
    UserProfile {
        permissions: d.permissions.iter().cloned().collect(),
        account_ids: d.accounts.iter().copied().collect(),
        tx_limits: d
            .tx_limits
            .iter()
            .map(|(k, v)| (k.clone(), v.get()))
            .collect(),
    }
}

/// What the 操作履歴 keeps of a user: everything but passwords.
fn history_details(p: &Preview, target: Option<&UserRecord>) -> serde_json::Value {
    serde_json::json!({
        "user_id": target.map(|t| t.id),
        "login_id": p.draft.login_id.as_str(),
        "changes": Section::changes_json(&p.sections),
    })
}

/// 利用者情報の新規登録 (実行).
pub async fn register(
    state: &AppState,
    admin: &AdminActor,
    input: &UserInput,
    password: &str,
    key: &str,
) -> Result<Executed, Error> {
    let actor = admin.actor();
    if let Some(done) = confirm::earlier(state, actor, key).await? {
        return Ok(done);
    }
    let p = preview(state, admin, None, input).await?;
    confirm::verify_confirmation(state, actor, password, HistoryArea::Users, REGISTER).await?;
    let (Some(login), Some(confirmation)) =
        (&p.draft.login_password, &p.draft.confirmation_password)
    else {
        return Err(Error::Internal);
    };
    let new = NewUser {
        company_id: actor.company.id,
        login_id: p.draft.login_id.as_str().to_owned(),
        login_key: p.draft.login_id.key(),
        name: p.draft.name.as_str().to_owned(),
        email: p.draft.email.clone(),
        is_master: false,
        is_admin: p.draft.is_admin,
        login_password_hash: state.hasher.hash(login).await.map_err(internal)?,
        confirm_password_hash: Some(state.hasher.hash(confirmation).await.map_err(internal)?),
        must_change_password: p.draft.force_change,
        must_change_confirmation: p.draft.force_change,
        profile: profile(&p.draft),
    };
    let history = actor
        .draft(state, HistoryArea::Users, REGISTER)
        .details(history_details(&p, None));
    let confirmed = Confirmed {
        key: key.to_owned(),
        user_id: actor.user.id,
        outcome: confirm::outcome(&p.sections)?,
    };
    let max = i64::try_from(state.config.max_users_per_company).unwrap_or(i64::MAX);
    match state
        .store
        .register_user(new, max, &confirmed, history)
        .await
    {
        Ok(_) => Ok(Executed {
            key: key.to_owned(),
            sections: p.sections,
            repeated: false,
        }),
        Err(StoreError::AlreadyExecuted { outcome }) => Executed::repeated(key, &outcome),
        Err(StoreError::Conflict {
            constraint: "user_limit",
        }) => Err(refuse(
            state,
            admin,
            REGISTER,
            Error::TooManyUsers {
                max: state.config.max_users_per_company,
            },
        )
        .await),
        Err(StoreError::Conflict { .. }) => {
            Err(refuse(state, admin, REGISTER, login_id_taken()).await)
        }
        Err(other) => Err(from_store(other)),
    }
}

/// 利用者情報の変更 (実行), at the `version` the input screen was opened at.
pub async fn change(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    version: i64,
    input: &UserInput,
    password: &str,
    key: &str,
) -> Result<Executed, Error> {
    let actor = admin.actor();
    if let Some(done) = confirm::earlier(state, actor, key).await? {
        return Ok(done);
    }
    let target = get(state, admin, user_id).await?;
    if target.version != version {
        return Err(refuse(state, admin, CHANGE, Error::Stale).await);
    }
    let p = preview(state, admin, Some(&target), input).await?;
    confirm::verify_confirmation(state, actor, password, HistoryArea::Users, CHANGE).await?;
    let hash = |p: &Option<madoguchi_domain::Password>| {
        let p = p.clone();
        async move {
            match p {
                Some(p) => state.hasher.hash(&p).await.map(Some).map_err(internal),
                None => Ok(None),
            }
        }
    };
    let update = UserUpdate {
        login_id: p.draft.login_id.as_str().to_owned(),
        login_key: p.draft.login_id.key(),
        name: p.draft.name.as_str().to_owned(),
        email: p.draft.email.clone(),
        is_admin: p.draft.is_admin || target.is_master,
        login_password_hash: hash(&p.draft.login_password).await?,
        confirm_password_hash: hash(&p.draft.confirmation_password).await?,
        must_change_password: p.draft.force_change,
        // A confirmation password the administrator sets now must be replaced too.
        must_change_confirmation: p.draft.force_change && p.draft.confirmation_password.is_some(),
        profile: profile(&p.draft),
    };
    let history = actor
        .draft(state, HistoryArea::Users, CHANGE)
        .details(history_details(&p, Some(&target)));
    let confirmed = Confirmed {
        key: key.to_owned(),
        user_id: actor.user.id,
        outcome: confirm::outcome(&p.sections)?,
    };
    match state
        .store
        .update_user(
            actor.company.id,
            user_id,
            version,
            &update,
            &confirmed,
            history,
        )
        .await
    {
        Ok(_) => Ok(Executed {
            key: key.to_owned(),
            sections: p.sections,
            repeated: false,
        }),
        Err(StoreError::AlreadyExecuted { outcome }) => Executed::repeated(key, &outcome),
        Err(StoreError::Stale) => Err(refuse(state, admin, CHANGE, Error::Stale).await),
        Err(StoreError::Conflict { .. }) => {
            Err(refuse(state, admin, CHANGE, login_id_taken()).await)
        }
        Err(other) => Err(from_store(other)),
    }
}

/// Refuses deleting the master or oneself (recorded).
pub async fn check_deletable(
    state: &AppState,
    admin: &AdminActor,
    target: &UserRecord,
) -> Result<(), Error> {
    let refusal = if target.is_master {
        Some("マスターユーザは削除できません。")
    } else if target.id == admin.actor().user.id {
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
    password: &str,
    key: &str,
) -> Result<Executed, Error> {
    let actor = admin.actor();
    if let Some(done) = confirm::earlier(state, actor, key).await? {
        return Ok(done);
    }
    let target = get(state, admin, user_id).await?;
    check_deletable(state, admin, &target).await?;
    if target.version != version {
        return Err(refuse(state, admin, DELETE, Error::Stale).await);
    }
    confirm::verify_confirmation(state, actor, password, HistoryArea::Users, DELETE).await?;
    let sections = delete_sections(&target);
    let history = actor.draft(state, HistoryArea::Users, DELETE).details(
        serde_json::json!({"user_id": target.id, "login_id": target.login_id, "name": target.name}),
    );
    let confirmed = Confirmed {
        key: key.to_owned(),
        user_id: actor.user.id,
        outcome: confirm::outcome(&sections)?,
    };
    match state
        .store
        .delete_user(actor.company.id, user_id, version, &confirmed, history)
        .await
    {
        Ok(()) => Ok(Executed {
            key: key.to_owned(),
            sections,
            repeated: false,
        }),
        Err(StoreError::AlreadyExecuted { outcome }) => Executed::repeated(key, &outcome),
        Err(StoreError::Stale) => Err(refuse(state, admin, DELETE, Error::Stale).await),
        Err(other) => Err(from_store(other)),
    }
}

/// 利用者停止・解除: what to do for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub which: UnlockWhich,
    /// Issue new passwords (for the released credentials) to be changed at next login.
    pub reset: bool,
}

/// The result of a release: the new one-time passwords, if any were issued (shown once).
#[derive(Debug, Clone, Default)]
pub struct Released {
    pub executed: Option<Executed>,
    pub new_login_password: Option<String>,
    pub new_confirmation_password: Option<String>,
}

/// 利用者停止・解除 (実行). An administrator cannot release their own lock.
pub async fn release(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    what: Release,
    password: &str,
    key: &str,
) -> Result<Released, Error> {
    let actor = admin.actor();
    if let Some(done) = confirm::earlier(state, actor, key).await? {
        return Ok(Released {
            executed: Some(done),
            ..Released::default()
        });
    }
    let target = get(state, admin, user_id).await?;
    if target.id == actor.user.id {
        return Err(refuse(
            state,
            admin,
            RELEASE,
            Error::NotAllowed {
                what: "ご自身の利用停止は解除できません。",
            },
        )
        .await);
    }
    confirm::verify_confirmation(state, actor, password, HistoryArea::Users, RELEASE).await?;
    let (login, confirmation) = match what.which {
        UnlockWhich::Login => (true, false),
        UnlockWhich::Confirmation => (false, true),
        UnlockWhich::Both => (true, true),
    };
    let issue = |wanted: bool| what.reset && wanted;
    let new_login =
        issue(login).then(|| generate_password(state.policy.min_len, state.policy.max_len));
    let new_confirmation =
        issue(confirmation).then(|| generate_password(state.policy.min_len, state.policy.max_len));
    let hash = |p: &Option<String>| {
        let p = p.clone();
        async move {
            match p {
                Some(p) => state
                    .hasher
                    .hash(&madoguchi_domain::Password::typed(p))
                    .await
                    .map(Some)
                    .map_err(internal),
                None => Ok(None),
            }
        }
    };
    let hashes = (hash(&new_login).await?, hash(&new_confirmation).await?);
    let after_state = madoguchi_domain::ServiceState::from_flags(
        target.login_locked && !login,
        target.confirm_locked && !confirmation,
    );
    let sections = vec![Section {
        title: "利用者停止・解除".into(),
        rows: vec![
            Row::text("ログインID", &target.login_id, &target.login_id),
            Row::text("利用者名", &target.name, &target.name),
            Row::text(
                "サービス状態",
                target.service_state().label(),
                after_state.label(),
            ),
            Row::text(
                "パスワードの再発行",
                "",
                if what.reset {
                    "再発行する（次回ログイン時に変更）"
                } else {
                    "再発行しない"
                },
            ),
        ],
    }];
    let history = actor.draft(state, HistoryArea::Users, RELEASE).details(serde_json::json!({
        "user_id": target.id, "login_id": target.login_id,
        "before": target.service_state().label(), "after": after_state.label(), "reset": what.reset,
    }));
    let confirmed = Confirmed {
        key: key.to_owned(),
        user_id: actor.user.id,
        outcome: confirm::outcome(&sections)?,
    };
    match state
        .store
        .release_user(
            actor.company.id,
            user_id,
            what.which,
            hashes,
            &confirmed,
            history,
        )
        .await
    {
        Ok(()) => Ok(Released {
            executed: Some(Executed {
                key: key.to_owned(),
                sections,
                repeated: false,
            }),
            new_login_password: new_login,
            new_confirmation_password: new_confirmation,
        }),
        Err(StoreError::AlreadyExecuted { outcome }) => Ok(Released {
            executed: Some(Executed::repeated(key, &outcome)?),
            ..Released::default()
        }),
        Err(other) => Err(from_store(other)),
    }
}

/// 前回ログイン as shown in the list.
pub fn last_login(u: &UserRecord) -> String {
    u.last_login_at
        .map(jst::format_minutes)
        .unwrap_or_else(|| "—".to_owned())
}
