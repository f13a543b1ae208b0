//! 利用者管理 → 証明書失効 (BRSK018–020), one service function per operation, shared by
//! the screens and the API: an administrator revokes a user's client certificate (their
//! own included) through the confirmed-change pipeline; the user's sessions end in the
//! same transaction, and the CRL is rebuilt at once, so the next handshake with that
//! certificate is refused. The user obtains a new one through 「電子証明書発行」.

use madoguchi_domain::certificate::CertificateState;
use madoguchi_domain::{Error, HistoryArea, jst};
use madoguchi_store::{CertificateRecord, UserRecord};

use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Row, Section,
};
use crate::state::AppState;
use crate::web::actor::AdminActor;

pub const REVOKE: &str = "証明書失効";

/// A user with their newest certificate, as 証明書失効 lists them.
#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub user: UserRecord,
    pub newest: Option<CertificateRecord>,
    pub state: CertificateState,
}

impl CertificateRow {
    /// 証明書有効期限, or —.
    pub fn expiry(&self) -> String {
        self.newest
            .as_ref()
            .map(|c| jst::format_seconds(c.not_after))
            .unwrap_or_else(|| "—".to_owned())
    }

    pub fn serial(&self) -> Option<&str> {
        self.newest.as_ref().map(|c| c.serial.as_str())
    }
}

/// Every user of the company with their newest certificate.
pub async fn overview(state: &AppState, admin: &AdminActor) -> Result<Vec<CertificateRow>, Error> {
    let scope = admin.scope(state);
    let users = scope.users().await?;
    let certificates = scope.certificates().await?;
    let now = state.now();
    Ok(users
        .into_iter()
        .map(|user| {
            // Oldest first: the last one is the newest.
            let newest = certificates.iter().rfind(|c| c.user_id == user.id).cloned();
            let state =
                CertificateState::of(newest.as_ref().map(|c| (c.not_after, c.revoked_at)), now);
            CertificateRow {
                user,
                newest,
                state,
            }
        })
        .collect())
}

fn revoke_rule(row: &CertificateRow) -> Result<(), Error> {
    if row.state.revocable() {
        Ok(())
    } else {
        Err(Error::NotAllowed {
            what: "この利用者には失効できる電子証明書がありません。",
        })
    }
}

/// May `row`'s certificate be revoked (the list offers it only then)?
pub fn revocable(row: &CertificateRow) -> bool {
    revoke_rule(row).is_ok()
}

/// What 確認 (BRSK019) and 結果 (BRSK020) show.
fn sections(row: &CertificateRow) -> Vec<Section> {
    let u = &row.user;
    vec![Section::new(
        "証明書失効の対象利用者",
        vec![
            Row::text("ログインID", &u.login_id, &u.login_id),
            Row::text("利用者名", &u.name, &u.name),
            Row::text(
                "証明書状態",
                row.state.label(),
                CertificateState::Revoked.label(),
            ),
            Row::text("証明書有効期限", row.expiry(), row.expiry()),
        ],
    )]
}

async fn checked(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
) -> Result<CertificateRow, Error> {
    let row = overview(state, admin)
        .await?
        .into_iter()
        .find(|r| r.user.id == user_id)
        .ok_or(Error::NotFound)?;
    let verdict = revoke_rule(&row);
    admin
        .actor()
        .allowed(state, HistoryArea::Users, REVOKE, row, verdict)
        .await
}

/// 証明書失効確認 (BRSK019).
pub async fn revoke_preview(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
) -> Result<Vec<Section>, Error> {
    Ok(sections(&checked(state, admin, user_id).await?))
}

/// 証明書失効 (実行): the certificate revoked and the user's sessions ended in one
/// transaction (the acting administrator's own, when it is their certificate), then the
/// CRL rebuilt and the verifier swapped.
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
        let row = checked(state, admin, user_id).await?;
        Ok(Prepared {
            details: serde_json::json!({
                "user_id": row.user.id,
                "login_id": row.user.login_id,
                "serial": row.serial(),
            }),
            sections: sections(&row),
            change: (),
        })
    };
    let write = async |()| Ok(admin.scope(state).certificate_revoke_write(user_id));
    let op = Operation {
        code: "users.certificate_revoke",
        area: HistoryArea::Users,
        label: REVOKE.to_owned(),
        result: ResultKind::CertificateRevoked,
    };
    let (done, _) = confirm::execute(state, admin.actor(), &op, request, prepare, write).await?;
    crate::certificates::publish_revocations(state).await?;
    Ok(done)
}
