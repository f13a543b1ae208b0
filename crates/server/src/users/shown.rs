//! How a user is shown on 照会, 確認, 結果 and the printed PDF: before/after rows of the
//! basic facts, サービス利用権限, 利用可能口座 and 利用者一回当たり限度額 — never passwords.

use madoguchi_domain::Business;
use madoguchi_domain::permissions;
use madoguchi_domain::user_input::UserDraft;
use madoguchi_store::{UserProfile, UserRecord};

use super::context::CompanyContext;
use crate::confirm::{Row, Section};

/// What a user is, as shown on 照会, 確認, 結果 and the printed PDF (never passwords).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub login_id: String,
    pub login_password: String,
    pub confirmation_password: String,
    pub name: String,
    pub email: String,
    pub admin: String,
    pub permissions: Vec<(String, String)>,
    pub accounts: Vec<(String, String)>,
    pub limits: Vec<(String, String)>,
}

/// The basic facts of a user as shown: ログインID, 利用者名, メールアドレス, 管理者権限.
struct Basics<'a> {
    login_id: &'a str,
    name: &'a str,
    email: &'a str,
    admin: bool,
}

fn shown(
    ctx: &CompanyContext,
    b: Basics<'_>,
    profile: &UserProfile,
    passwords: (&str, &str),
) -> Shown {
    let (login_id, name, email, admin) = (b.login_id, b.name, b.email, b.admin);
    let (perms, accounts, limits) = (
        &profile.permissions,
        &profile.account_ids,
        &profile.tx_limits,
    );
    Shown {
        login_id: login_id.to_owned(),
        login_password: passwords.0.to_owned(),
        confirmation_password: passwords.1.to_owned(),
        name: name.to_owned(),
        email: email.to_owned(),
        admin: if admin {
            "付与する"
        } else {
            "付与しない"
        }
        .to_owned(),
        permissions: permissions::ALL
            .iter()
            .map(|p| {
                (
                    format!("{} {}", p.group, p.label),
                    if perms.iter().any(|c| c == p.code) {
                        "利用可"
                    } else {
                        "—"
                    }
                    .to_owned(),
                )
            })
            .collect(),
        accounts: ctx
            .accounts
            .iter()
            .map(|a| {
                (
                    a.label(),
                    if accounts.contains(&a.id) {
                        "利用可"
                    } else {
                        "—"
                    }
                    .to_owned(),
                )
            })
            .collect(),
        limits: Business::ALL
            .iter()
            .map(|b| {
                (
                    b.label().to_owned(),
                    limits
                        .get(b)
                        .map(|y| y.to_string())
                        .unwrap_or_else(|| "企業の限度額まで".to_owned()),
                )
            })
            .collect(),
    }
}

/// サービス利用権限, 利用可能口座 and 利用者一回当たり限度額 of a checked input, as stored.
pub fn profile(d: &UserDraft) -> UserProfile {
    UserProfile {
        permissions: d.permissions.iter().cloned().collect(),
        account_ids: d.accounts.iter().copied().collect(),
        tx_limits: d.tx_limits.clone(),
    }
}

pub fn shown_user(ctx: &CompanyContext, u: &UserRecord) -> Shown {
    let passwords = (kept_login_password(u.must_change_password), "登録済み");
    let basics = Basics {
        login_id: &u.login_id,
        name: &u.name,
        email: &u.email,
        admin: u.has_admin_authority(),
    };
    shown(ctx, basics, &u.profile, passwords)
}

/// How the passwords read when they stay as they are: the same words as 照会, so a
/// change of something else never marks them.
fn kept_login_password(force_change: bool) -> &'static str {
    if force_change {
        "ログイン時に強制変更する"
    } else {
        "登録済み"
    }
}

pub fn shown_draft(ctx: &CompanyContext, d: &UserDraft, before: Option<&UserRecord>) -> Shown {
    let login = match (&d.login_password, before) {
        (Some(_), Some(_)) if d.force_change => "変更する（ログイン時に強制変更する）",
        (Some(_), Some(_)) => "変更する",
        (Some(_), None) if d.force_change => "登録する（ログイン時に強制変更する）",
        (Some(_), None) => "登録する",
        (None, _) => kept_login_password(d.force_change),
    };
    let confirmation = match (&d.confirmation_password, before) {
        (Some(_), Some(_)) => "変更する",
        (Some(_), None) => "登録する",
        (None, _) => "登録済み",
    };
    let basics = Basics {
        login_id: d.login_id.as_str(),
        name: d.name.as_str(),
        email: &d.email,
        admin: d.is_admin,
    };
    shown(ctx, basics, &profile(d), (login, confirmation))
}

/// The sections of 確認/結果/印刷 for `after`, against `before` (the same for 照会 and 登録).
pub fn sections(before: &Shown, after: &Shown) -> Vec<Section> {
    let basic = vec![
        Row::text("ログインID", &before.login_id, &after.login_id),
        Row::text(
            "ログインパスワード",
            &before.login_password,
            &after.login_password,
        ),
        Row::text(
            "確認用パスワード",
            &before.confirmation_password,
            &after.confirmation_password,
        ),
        Row::text("利用者名", &before.name, &after.name),
        Row::text("メールアドレス", &before.email, &after.email),
        Row::text("管理者権限", &before.admin, &after.admin),
    ];
    let pairs = |b: &[(String, String)], a: &[(String, String)], amount: bool| -> Vec<Row> {
        a.iter()
            .zip(b)
            .map(|((label, av), (_, bv))| {
                if amount {
                    Row::amount(label, bv, av)
                } else {
                    Row::text(label, bv, av)
                }
            })
            .collect()
    };
    vec![
        Section::new("利用者基本情報", basic),
        Section::new(
            "サービス利用権限",
            pairs(&before.permissions, &after.permissions, false),
        ),
        Section::new(
            "利用可能口座",
            pairs(&before.accounts, &after.accounts, false),
        ),
        Section::new(
            "利用者一回当たり限度額",
            pairs(&before.limits, &after.limits, true),
        ),
    ]
}

/// The sections of 利用者削除確認/結果 (the manual's 「削除内容」): ログインID, 利用者名,
/// サービス状態, メールアドレス, 管理者権限 — nothing marked, nothing changes but the whole.
pub fn delete_sections(u: &UserRecord) -> Vec<Section> {
    let row = |l: &str, v: &str| Row::text(l, v, v);
    vec![Section::new(
        "削除内容",
        vec![
            row("ログインID", &u.login_id),
            row("利用者名", &u.name),
            row("サービス状態", u.service_state().label()),
            row("メールアドレス", &u.email),
            row(
                "管理者権限",
                if u.has_admin_authority() {
                    "付与する"
                } else {
                    "付与しない"
                },
            ),
        ],
    )]
}
