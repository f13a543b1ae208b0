//! The store door: handles bound to the actor's company (and, for administrators, to the
//! administrator), handed out only by the extractors' types (`Actor::scope`,
//! `AdminActor::scope`, `Actor::history_scope`). The areas of the manual reach the store
//! through these and nothing else, so a handler cannot name another company's data —
//! another company's user is simply not found.

use madoguchi_domain::bulk::payee::PayeeList;
use madoguchi_domain::fees::{FeeKind, FeeSetting};
use madoguchi_domain::history_search::{Conditions, operation_code};
use madoguchi_domain::payee::Payee;
use madoguchi_domain::{BankCeilings, CompanySettings, Error};
use madoguchi_store::{
    Acceptance, Account, BankEntry, BulkMove, BulkOrder, BulkPayeeRecord, BulkPayeeRegistration,
    BulkRecordRow, BulkWriter, CertificateRecord, ConfirmedWrite, HistoryEntry, HistoryFilter,
    HistorySearch, NewBulkOrder, NewBulkPayee, NewPayee, NewTransfer, NewUser, OtpToken, PayeeKind,
    PayeeRecord, ServiceChange, StandardTable, Store, StoredFee, StoredSettings, Target,
    TransferMove, TransferRecord, TransferRevision, TransferView, UserRecord, UserUpdate,
};

use crate::web::error::from_store;

/// What every user of one company may read of it.
#[derive(Clone, Copy)]
pub struct CompanyScope<'a> {
    store: &'a dyn Store,
    company_id: i64,
}

impl<'a> CompanyScope<'a> {
    pub(super) fn new(store: &'a dyn Store, company_id: i64) -> Self {
        Self { store, company_id }
    }

    pub async fn accounts(&self) -> Result<Vec<Account>, Error> {
        self.store
            .accounts(self.company_id)
            .await
            .map_err(from_store)
    }

    /// 承認機能の利用有無 and the daily limits, with their version.
    pub async fn settings(&self) -> Result<StoredSettings, Error> {
        self.store
            .company_settings(self.company_id)
            .await
            .map_err(from_store)
    }

    /// The bank's 届出限度額 (zero until the operator sets them).
    pub async fn ceilings(&self) -> Result<BankCeilings, Error> {
        Ok(self
            .store
            .ceilings(self.company_id)
            .await
            .map_err(from_store)?
            .unwrap_or_default())
    }

    pub async fn fee_setting(&self, kind: FeeKind) -> Result<StoredFee, Error> {
        self.store
            .fee_setting(self.company_id, kind)
            .await
            .map_err(from_store)
    }

    /// The bank's 基準手数料 in force on `date` (the bank's, the same for every company).
    pub async fn standard_table_on(&self, date: &str) -> Result<Option<StandardTable>, Error> {
        self.store.standard_table_on(date).await.map_err(from_store)
    }

    /// The company's payees in use (振込先).
    pub async fn payees(&self) -> Result<Vec<PayeeRecord>, Error> {
        self.store
            .payees_of(self.company_id)
            .await
            .map_err(from_store)
    }

    /// A bank (empty `branch`) or branch of the 全銀協 master (reference data, shared by
    /// every company).
    pub async fn bank_entry(&self, bank: &str, branch: &str) -> Result<Option<BankEntry>, Error> {
        self.store
            .bank_entry(bank, branch)
            .await
            .map_err(from_store)
    }

    /// 振込先の登録 of a 利用者登録口座 by `user_id`.
    pub fn payee_register_write(&self, user_id: i64, payee: &Payee) -> ConfirmedWrite {
        ConfirmedWrite::RegisterPayee {
            new: new_payee(
                self.company_id,
                PayeeKind::UserRegistered,
                Some(user_id),
                payee,
            ),
        }
    }

    /// 振込先の削除 of one of the company's 利用者登録口座.
    pub fn payee_delete_write(&self, payee_id: i64) -> ConfirmedWrite {
        ConfirmedWrite::DeletePayee {
            company_id: self.company_id,
            payee_id,
        }
    }

    /// The company's 振込先 / 請求先 of a file business's `list`.
    pub async fn bulk_payees(&self, list: PayeeList) -> Result<Vec<BulkPayeeRecord>, Error> {
        self.store
            .bulk_payees_of(self.company_id, list.code())
            .await
            .map_err(from_store)
    }

    /// 振込先 / 請求先の登録 in the company's `list` by `user_id` (all or none).
    pub fn bulk_payees_register_write(
        &self,
        list: PayeeList,
        user_id: i64,
        payees: Vec<NewBulkPayee>,
    ) -> ConfirmedWrite {
        ConfirmedWrite::RegisterBulkPayees(Box::new(BulkPayeeRegistration {
            company_id: self.company_id,
            list: list.code(),
            created_by: user_id,
            payees,
        }))
    }

    /// 振込先 / 請求先の変更 of one of the company's `list` to `payee`.
    pub fn bulk_payee_update_write(
        &self,
        list: PayeeList,
        id: i64,
        payee: NewBulkPayee,
    ) -> ConfirmedWrite {
        ConfirmedWrite::UpdateBulkPayee {
            company_id: self.company_id,
            list: list.code(),
            id,
            payee,
        }
    }

    /// 振込先 / 請求先の削除 of one of the company's `list`.
    pub fn bulk_payee_delete_write(&self, list: PayeeList, id: i64) -> ConfirmedWrite {
        ConfirmedWrite::DeleteBulkPayee {
            company_id: self.company_id,
            list: list.code(),
            id,
        }
    }

    /// `user_id`'s client certificate in use, if it is one of this company's users'.
    pub async fn certificate_in_use(
        &self,
        user_id: i64,
    ) -> Result<Option<CertificateRecord>, Error> {
        let cert = self
            .store
            .certificate_in_use(user_id)
            .await
            .map_err(from_store)?;
        Ok(cert.filter(|c| c.company_id == self.company_id))
    }

    /// Every version of the bank's 基準手数料.
    pub async fn standard_tables(&self) -> Result<Vec<StandardTable>, Error> {
        self.store.standard_tables().await.map_err(from_store)
    }

    /// The company's users that are not deleted (e.g. to name approvers).
    pub async fn members(&self) -> Result<Vec<UserRecord>, Error> {
        self.store
            .users_of(self.company_id)
            .await
            .map_err(from_store)
    }

    /// What is used today of the limit `scope` (its key) on `day`.
    pub async fn limit_used(&self, scope: &str, day: &str) -> Result<i64, Error> {
        self.store
            .limit_used(self.company_id, scope, day)
            .await
            .map_err(from_store)
    }

    /// One of the company's 振込振替 orders (another company's is not found).
    pub async fn transfer(&self, id: i64) -> Result<TransferRecord, Error> {
        self.store
            .transfer(self.company_id, id)
            .await
            .map_err(from_store)?
            .ok_or(Error::NotFound)
    }

    /// The company's orders `view` shows, newest first.
    pub async fn transfers(
        &self,
        view: TransferView,
        limit: i64,
    ) -> Result<Vec<TransferRecord>, Error> {
        self.store
            .transfers_of(self.company_id, view, limit)
            .await
            .map_err(from_store)
    }

    /// 振込振替の確定 of `new` (its company is this one).
    pub fn transfer_create_write(
        &self,
        mut new: NewTransfer,
        acceptance: Option<Acceptance>,
    ) -> ConfirmedWrite {
        new.company_id = self.company_id;
        ConfirmedWrite::CreateTransfer {
            new: Box::new(new),
            acceptance,
        }
    }

    /// 修正 and 確定 again of one of the company's orders.
    pub fn transfer_revise_write(&self, mut r: TransferRevision) -> ConfirmedWrite {
        r.new.company_id = self.company_id;
        ConfirmedWrite::ReviseTransfer(Box::new(r))
    }

    /// Begins writing a file order of the company at `now`; its records follow batch by
    /// batch (`BulkWriter`), nothing kept unless it is finished.
    pub async fn bulk_begin(&self, mut new: NewBulkOrder, now: i64) -> Result<BulkWriter, Error> {
        new.company_id = self.company_id;
        self.store.begin_bulk(&new, now).await.map_err(from_store)
    }

    /// One of the company's file orders (another company's is not found).
    pub async fn bulk_order(&self, id: i64) -> Result<BulkOrder, Error> {
        self.store
            .bulk_order(self.company_id, id)
            .await
            .map_err(from_store)?
            .ok_or(Error::NotFound)
    }

    /// The records of one of the company's file orders after line `after`.
    pub async fn bulk_records(
        &self,
        id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<BulkRecordRow>, Error> {
        self.store
            .bulk_records(self.company_id, id, after, limit)
            .await
            .map_err(from_store)
    }

    /// The company's file orders of `business` that `view` shows.
    pub async fn bulk_orders(
        &self,
        business: madoguchi_domain::Business,
        view: TransferView,
        limit: i64,
    ) -> Result<Vec<BulkOrder>, Error> {
        self.store
            .bulk_orders_of(self.company_id, business, view, limit)
            .await
            .map_err(from_store)
    }

    /// A move of one of the company's file orders.
    pub fn bulk_move_write(&self, mut m: BulkMove) -> ConfirmedWrite {
        m.company_id = self.company_id;
        ConfirmedWrite::MoveBulk(Box::new(m))
    }

    /// A move of one of the company's orders.
    pub fn transfer_move_write(&self, mut m: TransferMove) -> ConfirmedWrite {
        m.company_id = self.company_id;
        ConfirmedWrite::MoveTransfer(Box::new(m))
    }
}

/// What one company's administrator may read and write.
#[derive(Clone, Copy)]
pub struct AdminScope<'a> {
    company: CompanyScope<'a>,
    actor_id: i64,
    session: &'a str,
}

impl<'a> AdminScope<'a> {
    pub(super) fn new(company: CompanyScope<'a>, actor_id: i64, session: &'a str) -> Self {
        Self {
            company,
            actor_id,
            session,
        }
    }

    pub fn company(&self) -> &CompanyScope<'a> {
        &self.company
    }

    /// The company's users that are not deleted.
    pub async fn users(&self) -> Result<Vec<UserRecord>, Error> {
        self.company
            .store
            .users_of(self.company.company_id)
            .await
            .map_err(from_store)
    }

    /// One of the company's users (another company's, or a deleted one, is not found).
    pub async fn user(&self, user_id: i64) -> Result<UserRecord, Error> {
        self.company
            .store
            .user(self.company.company_id, user_id)
            .await
            .map_err(from_store)?
            .filter(|u| !u.deleted)
            .ok_or(Error::NotFound)
    }

    /// The user of this company (deleted ones too) holding login ID `key`, if any. Whether
    /// another company holds it is never told here: only a confirmed registration learns
    /// that, after the 確認用パスワード (and it is throttled and recorded).
    pub async fn login_id_holder(&self, key: &str) -> Result<Option<UserRecord>, Error> {
        Ok(self
            .company
            .store
            .user_by_login_key(key)
            .await
            .map_err(from_store)?
            .filter(|u| u.company_id == self.company.company_id))
    }

    /// The user `user_id` as a target, at the version the change was prepared at.
    fn target(&self, user_id: i64, expected_version: i64) -> Target {
        Target {
            company_id: self.company.company_id,
            user_id,
            expected_version,
            actor_id: self.actor_id,
            acting_session: self.session.to_owned(),
        }
    }

    /// 企業情報の変更 at `version`.
    pub fn settings_write(&self, version: i64, settings: CompanySettings) -> ConfirmedWrite {
        ConfirmedWrite::CompanySettings {
            company_id: self.company.company_id,
            expected_version: version,
            settings,
        }
    }

    /// 手数料情報の変更 at `version`.
    pub fn fee_write(&self, kind: FeeKind, version: i64, setting: FeeSetting) -> ConfirmedWrite {
        ConfirmedWrite::FeeSetting {
            company_id: self.company.company_id,
            kind,
            expected_version: version,
            setting,
        }
    }

    /// 利用者情報の新規登録 in this company.
    pub fn register_write(&self, new: NewUser, max_users: i64) -> ConfirmedWrite {
        ConfirmedWrite::RegisterUser {
            company_id: self.company.company_id,
            new,
            max_users,
        }
    }

    /// 利用者情報の変更 of `user_id` at `version`.
    pub fn update_write(&self, user_id: i64, version: i64, update: UserUpdate) -> ConfirmedWrite {
        ConfirmedWrite::UpdateUser {
            target: self.target(user_id, version),
            update,
        }
    }

    /// 利用者情報の削除 of `user_id` at `version`.
    pub fn delete_write(&self, user_id: i64, version: i64) -> ConfirmedWrite {
        ConfirmedWrite::DeleteUser {
            target: self.target(user_id, version),
        }
    }

    /// 利用者停止・解除 of `user_id` at `version`: the 変更後のサービス状態.
    pub fn state_write(&self, user_id: i64, version: i64, to: ServiceChange) -> ConfirmedWrite {
        ConfirmedWrite::ChangeServiceState {
            target: self.target(user_id, version),
            to,
        }
    }

    /// The software tokens in use in the company.
    pub async fn tokens(&self) -> Result<Vec<OtpToken>, Error> {
        self.company
            .store
            .tokens_of(self.company.company_id)
            .await
            .map_err(from_store)
    }

    /// ワンタイムパスワードの利用停止解除 of `user_id`.
    pub fn otp_release_write(&self, user_id: i64) -> ConfirmedWrite {
        ConfirmedWrite::ReleaseOtp {
            target: self.target(user_id, 0),
        }
    }

    /// トークンの失効 of `user_id`'s token.
    pub fn token_revoke_write(&self, user_id: i64) -> ConfirmedWrite {
        ConfirmedWrite::RevokeToken {
            target: self.target(user_id, 0),
        }
    }

    /// Every client certificate the company's users were issued, oldest first.
    pub async fn certificates(&self) -> Result<Vec<CertificateRecord>, Error> {
        self.company
            .store
            .certificates_of(self.company.company_id)
            .await
            .map_err(from_store)
    }

    /// 証明書失効 of `user_id`'s certificate in use.
    pub fn certificate_revoke_write(&self, user_id: i64) -> ConfirmedWrite {
        ConfirmedWrite::RevokeCertificate {
            target: self.target(user_id, 0),
        }
    }
}

/// A parsed payee as the store registers it.
pub fn new_payee(company_id: i64, kind: PayeeKind, created_by: Option<i64>, p: &Payee) -> NewPayee {
    NewPayee {
        company_id,
        kind,
        bank_code: p.bank.as_str().to_owned(),
        branch_code: p.branch.as_str().to_owned(),
        account_kind: p.kind.code(),
        number: p.number.as_str().to_owned(),
        name: p.name.as_str().to_owned(),
        created_by,
    }
}

/// The 操作履歴 one user may read: their company's, and only their own entries unless
/// they may see everyone's.
#[derive(Clone, Copy)]
pub struct HistoryScope<'a> {
    store: &'a dyn Store,
    company_id: i64,
    only_user: Option<i64>,
}

impl<'a> HistoryScope<'a> {
    pub(super) fn new(store: &'a dyn Store, company_id: i64, only_user: Option<i64>) -> Self {
        Self {
            store,
            company_id,
            only_user,
        }
    }

    /// True when the whole company's entries are shown.
    pub fn everyone(&self) -> bool {
        self.only_user.is_none()
    }

    /// One page of a search: entries matching `c`, older than `before` (from the newest
    /// when `None`). A user who may read only their own entries gets only theirs; a
    /// condition naming someone else is `Forbidden`.
    pub async fn search(
        &self,
        c: &Conditions,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<HistoryEntry>, Error> {
        let user_id = match (self.only_user, c.user_id) {
            (Some(me), Some(other)) if other != me => return Err(Error::Forbidden),
            (Some(me), _) => Some(me),
            (None, asked) => asked,
        };
        self.store
            .search_history(&HistorySearch {
                company_id: Some(self.company_id),
                user_id,
                since: c.since,
                until: c.until,
                area: c.area.map(|a| (a.code().to_owned(), a.label().to_owned())),
                operation: c.operation.map(|label| {
                    let code = operation_code(label).unwrap_or(label);
                    (code.to_owned(), label.to_owned())
                }),
                outcome: c
                    .outcome
                    .map(|o| (o.code().to_owned(), o.label().to_owned())),
                ip: c.terminal.clone(),
                before_seq: before,
                limit,
            })
            .await
            .map_err(from_store)
    }

    /// Entry `seq`, if this user may read it (another company's, or someone else's for a
    /// user who may read only their own, is not found).
    pub async fn entry(&self, seq: i64) -> Result<HistoryEntry, Error> {
        self.store
            .history_entry(Some(self.company_id), seq)
            .await
            .map_err(from_store)?
            .filter(|e| self.only_user.is_none() || e.user_id == self.only_user)
            .ok_or(Error::NotFound)
    }

    /// The company's users (for the 利用者 condition and the names shown).
    pub async fn users(&self) -> Result<Vec<UserRecord>, Error> {
        self.store
            .users_of(self.company_id)
            .await
            .map_err(from_store)
    }

    /// The newest `limit` entries.
    pub async fn newest(&self, limit: i64) -> Result<Vec<HistoryEntry>, Error> {
        self.store
            .history(&HistoryFilter {
                company_id: Some(self.company_id),
                user_id: self.only_user,
                limit,
            })
            .await
            .map_err(from_store)
    }
}
