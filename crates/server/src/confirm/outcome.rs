//! The typed outcome of an execution: which 結果 it is and what it showed. Stored with the
//! idempotency key, so the 結果 screen (and a repeated submit) shows the same thing again,
//! and a result screen only ever shows its own kind of result.

use madoguchi_domain::{Error, IdempotencyKey};
use serde::{Deserialize, Serialize};

use super::Section;
use crate::web::error::internal;

/// Which 結果 screen an execution ends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// 企業情報変更結果 (BKGK004)
    CompanyInfo,
    /// 手数料情報 結果, one per kind (its key)
    PayeeTransferFee,
    PayeeBulkFee,
    PayerBulkFee,
    /// 利用者登録結果 (BRSK010)
    UserRegistered,
    /// 利用者変更結果 (BRSK015)
    UserChanged,
    /// 利用者削除結果 (BRSK017)
    UserDeleted,
    /// 利用者停止・解除結果 (BRSK043)
    UserReleased,
    /// ワンタイムパスワード利用停止解除結果 (BRSK023)
    OtpReleased,
    /// トークン失効結果 (BRSK033)
    TokenRevoked,
    /// 証明書失効結果 (BRSK020)
    CertificateRevoked,
    /// 振込先の登録・削除
    PayeeChanged,
    /// 振込振替の依頼 (確定)
    TransferRequested,
    /// 振込振替の承認・差戻し・引戻し・削除
    TransferActed,
    /// 総合振込・給与・賞与振込・口座振替の確定・承認・差戻し・引戻し・削除
    BulkActed,
}

/// What is stored with the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub kind: ResultKind,
    pub sections: Vec<Section>,
}

impl Outcome {
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(|e| internal(e.into()))
    }

    /// The stored outcome, if it is one of `kind`.
    pub fn parse(json: &str, kind: ResultKind) -> Option<Self> {
        serde_json::from_str::<Self>(json)
            .ok()
            .filter(|o| o.kind == kind)
    }
}

/// The result of 実行.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The confirm screen's key, which finds the 結果 again.
    pub key: IdempotencyKey,
    pub kind: ResultKind,
    pub sections: Vec<Section>,
    /// The same request had already been executed; nothing was changed again.
    pub repeated: bool,
}

impl Executed {
    /// The 結果 page of this execution under `base` (e.g. `/users/result`): the key is
    /// well-formed by construction, so the URL needs no escaping.
    pub fn result_url(&self, base: &str) -> String {
        format!("{base}?key={}", self.key)
    }

    /// The result of an earlier execution of the same request.
    pub fn repeated(key: IdempotencyKey, outcome: &str, kind: ResultKind) -> Result<Self, Error> {
        let outcome = Outcome::parse(outcome, kind).ok_or(Error::AlreadyExecuted)?;
        Ok(Self {
            key,
            kind,
            sections: outcome.sections,
            repeated: true,
        })
    }
}
