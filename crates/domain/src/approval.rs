//! The approval of an order (domain.md §2): the states of 振込振替 (and of the file
//! businesses, which have no 承認なし), and every transition as one pure function, so the
//! store only ever writes what [`Approval::apply`] allowed. The store writes a transition
//! with a conditional update on the state it was decided from, so two approvers acting at
//! once cannot both move the same order.
//!
//! 作成中 →確定→ 承認待ち (→ 一次承認済み for ダブル) →承認→ 受付済み; 承認なし: 確定 → 受付済み.
//! 承認待ち/一次承認済み →差戻し (an approver)→ 差戻済み; 承認待ち →引戻し (the creator, before
//! any approval)→ 引戻済み; 差戻済み/引戻済み are edited and 確定 again, or deleted; an approver
//! may 削除 what waits for them; after the 承認期限 an order waiting expires (期限切れ).

use crate::error::Error;
use crate::settings::ApprovalMode;

/// 状態 of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// 作成中
    Draft,
    /// 承認待ち
    Pending,
    /// 一次承認済み
    FirstApproved,
    /// 受付済み: the order reached the bank (the limits were used in that transaction).
    Accepted,
    /// 差戻済み
    Returned,
    /// 引戻済み
    Withdrawn,
    /// 削除済み
    Deleted,
    /// 期限切れ
    Expired,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Draft,
        State::Pending,
        State::FirstApproved,
        State::Accepted,
        State::Returned,
        State::Withdrawn,
        State::Deleted,
        State::Expired,
    ];

    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "作成中",
            State::Pending => "承認待ち",
            State::FirstApproved => "一次承認済み",
            State::Accepted => "受付済み",
            State::Returned => "差戻済み",
            State::Withdrawn => "引戻済み",
            State::Deleted => "削除済み",
            State::Expired => "期限切れ",
        }
    }

    /// The stored and API form.
    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Pending => "pending",
            State::FirstApproved => "first_approved",
            State::Accepted => "accepted",
            State::Returned => "returned",
            State::Withdrawn => "withdrawn",
            State::Deleted => "deleted",
            State::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Nothing happens to it any more.
    pub fn is_final(self) -> bool {
        matches!(self, State::Accepted | State::Deleted | State::Expired)
    }

    /// The creator may edit it and 確定 it (again).
    pub fn editable(self) -> bool {
        matches!(self, State::Draft | State::Returned | State::Withdrawn)
    }

    /// It waits for an approver.
    fn waiting(self) -> bool {
        matches!(self, State::Pending | State::FirstApproved)
    }
}

/// Who acts.
pub type UserId = i64;

/// What someone does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 確定 by the creator, naming the approvers the mode needs (first, then last).
    Confirm {
        first: Option<UserId>,
        last: Option<UserId>,
    },
    /// 承認
    Approve,
    /// 差戻し
    Return,
    /// 引戻し
    Withdraw,
    /// 削除
    Delete,
    /// The 承認期限 passed (the system, not a user).
    Expire,
}

/// An order's approval: the mode it was created under, who created it, whom it names,
/// who approved it so far, and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub mode: ApprovalMode,
    pub creator: UserId,
    /// シングル: the approver; ダブル: the 一次承認者 (順序あり) or either approver (順序なし).
    pub first: Option<UserId>,
    /// ダブル: the 最終承認者 (順序あり) or the other approver (順序なし).
    pub last: Option<UserId>,
    /// Who approved, in order.
    pub approved_by: Vec<UserId>,
    pub state: State,
}

fn refused(what: &'static str) -> Error {
    Error::TransferRefused { what }
}

impl Approval {
    /// A new order (作成中).
    pub fn new(mode: ApprovalMode, creator: UserId) -> Self {
        Self {
            mode,
            creator,
            first: None,
            last: None,
            approved_by: Vec::new(),
            state: State::Draft,
        }
    }

    /// Whether `user` is one of the approvers named.
    fn names(&self, user: UserId) -> bool {
        self.first == Some(user) || self.last == Some(user)
    }

    /// May `user` approve now? (承認待ち一覧 lists what a user may approve.)
    pub fn may_approve(&self, user: UserId) -> bool {
        if !self.state.waiting() || !self.names(user) || self.approved_by.contains(&user) {
            return false;
        }
        match (self.mode, self.state) {
            (ApprovalMode::Single, State::Pending) => true,
            (ApprovalMode::DoubleUnordered, _) => true,
            (ApprovalMode::DoubleOrdered, State::Pending) => self.first == Some(user),
            (ApprovalMode::DoubleOrdered, State::FirstApproved) => self.last == Some(user),
            _ => false,
        }
    }

    /// The order after `user` does `action`, or why not. Accepted (受付済み) is reached
    /// only with the mode's approvals: the caller uses the limits in the same transaction.
    pub fn apply(&self, user: UserId, action: Action) -> Result<Approval, Error> {
        let mut next = self.clone();
        match action {
            Action::Confirm { first, last } => {
                if user != self.creator || !self.state.editable() {
                    return Err(refused("この取引は確定できません。"));
                }
                let (first, last) = match self.mode {
                    ApprovalMode::None => (None, None),
                    ApprovalMode::Single => match (first, last) {
                        (Some(a), None) => (Some(a), None),
                        _ => return Err(refused("承認者を1名指定してください。")),
                    },
                    ApprovalMode::DoubleUnordered | ApprovalMode::DoubleOrdered => {
                        match (first, last) {
                            (Some(a), Some(b)) if a != b => (Some(a), Some(b)),
                            _ => return Err(refused("異なる承認者を2名指定してください。")),
                        }
                    }
                };
                next.first = first;
                next.last = last;
                next.approved_by.clear();
                next.state = if self.mode == ApprovalMode::None {
                    State::Accepted
                } else {
                    State::Pending
                };
            }
            Action::Approve => {
                if !self.may_approve(user) {
                    return Err(refused("この取引を承認することはできません。"));
                }
                next.approved_by.push(user);
                let needed = match self.mode {
                    ApprovalMode::None => 0,
                    ApprovalMode::Single => 1,
                    ApprovalMode::DoubleUnordered | ApprovalMode::DoubleOrdered => 2,
                };
                next.state = if next.approved_by.len() >= needed {
                    State::Accepted
                } else {
                    State::FirstApproved
                };
            }
            Action::Return => {
                if !self.state.waiting() || !self.names(user) {
                    return Err(refused("この取引を差戻しすることはできません。"));
                }
                next.approved_by.clear();
                next.state = State::Returned;
            }
            Action::Withdraw => {
                if user != self.creator || self.state != State::Pending {
                    return Err(refused("承認前の取引だけを引戻しできます。"));
                }
                next.state = State::Withdrawn;
            }
            Action::Delete => {
                let creator = user == self.creator && self.state.editable();
                let approver = self.state.waiting() && self.names(user);
                if !creator && !approver {
                    return Err(refused("この取引は削除できません。"));
                }
                next.state = State::Deleted;
            }
            Action::Expire => {
                if !(self.state.waiting() || self.state.editable()) {
                    return Err(refused("この取引は期限切れにできません。"));
                }
                next.state = State::Expired;
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CREATOR: UserId = 1;

    #[test]
    fn the_modes_as_the_manual_describes_them() {
        // 承認なし: 確定 is the acceptance.
        let a = Approval::new(ApprovalMode::None, CREATOR);
        let done = a
            .apply(
                CREATOR,
                Action::Confirm {
                    first: None,
                    last: None,
                },
            )
            .unwrap();
        assert_eq!(done.state, State::Accepted);
        // シングル, the creator naming himself (allowed by default).
        let s = Approval::new(ApprovalMode::Single, CREATOR)
            .apply(
                CREATOR,
                Action::Confirm {
                    first: Some(CREATOR),
                    last: None,
                },
            )
            .unwrap();
        assert_eq!(
            s.apply(CREATOR, Action::Approve).unwrap().state,
            State::Accepted
        );
        // ダブル(順序あり): the 最終承認者 only after the 一次承認者.
        let d = Approval::new(ApprovalMode::DoubleOrdered, CREATOR)
            .apply(
                CREATOR,
                Action::Confirm {
                    first: Some(2),
                    last: Some(3),
                },
            )
            .unwrap();
        assert!(d.apply(3, Action::Approve).is_err());
        let d = d.apply(2, Action::Approve).unwrap();
        assert_eq!(d.state, State::FirstApproved);
        assert!(d.apply(2, Action::Approve).is_err(), "not twice");
        assert_eq!(d.apply(3, Action::Approve).unwrap().state, State::Accepted);
        // ダブル(順序なし): either first; two distinct approvers needed.
        let u = Approval::new(ApprovalMode::DoubleUnordered, CREATOR);
        assert!(
            u.apply(
                CREATOR,
                Action::Confirm {
                    first: Some(2),
                    last: Some(2)
                }
            )
            .is_err()
        );
        let u = u
            .apply(
                CREATOR,
                Action::Confirm {
                    first: Some(2),
                    last: Some(3),
                },
            )
            .unwrap();
        let u = u.apply(3, Action::Approve).unwrap();
        assert!(
            u.apply(3, Action::Approve).is_err(),
            "the same approver twice"
        );
        assert_eq!(u.apply(2, Action::Approve).unwrap().state, State::Accepted);
        // 引戻し only before any approval; 差戻し and 削除 by an approver.
        let p = Approval::new(ApprovalMode::DoubleOrdered, CREATOR)
            .apply(
                CREATOR,
                Action::Confirm {
                    first: Some(2),
                    last: Some(3),
                },
            )
            .unwrap();
        assert_eq!(
            p.apply(CREATOR, Action::Withdraw).unwrap().state,
            State::Withdrawn
        );
        let first = p.apply(2, Action::Approve).unwrap();
        assert!(first.apply(CREATOR, Action::Withdraw).is_err());
        let back = first.apply(3, Action::Return).unwrap();
        assert_eq!((back.state, back.approved_by.len()), (State::Returned, 0));
        assert!(back.apply(9, Action::Delete).is_err(), "not a stranger");
        assert_eq!(p.apply(3, Action::Delete).unwrap().state, State::Deleted);
        assert_eq!(p.apply(0, Action::Expire).unwrap().state, State::Expired);
        assert!(
            done.apply(CREATOR, Action::Delete).is_err(),
            "受付済み is final"
        );
    }

    fn mode() -> impl Strategy<Value = ApprovalMode> {
        prop_oneof![
            Just(ApprovalMode::None),
            Just(ApprovalMode::Single),
            Just(ApprovalMode::DoubleUnordered),
            Just(ApprovalMode::DoubleOrdered),
        ]
    }

    /// Mostly 確定 and 承認, so that many sequences get far.
    fn action() -> impl Strategy<Value = Action> {
        let who = prop::option::weighted(0.9, 1i64..4);
        prop_oneof![
            3 => (who.clone(), who).prop_map(|(first, last)| Action::Confirm { first, last }),
            6 => Just(Action::Approve),
            1 => Just(Action::Return),
            1 => Just(Action::Withdraw),
            1 => Just(Action::Delete),
            1 => Just(Action::Expire),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        /// Whatever anyone does in whatever order: a final state stays final, an order is
        /// accepted only with the mode's approvals by the approvers named (two distinct
        /// ones for ダブル, the 一次承認者 first for 順序あり), and nobody approves twice.
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            mode in mode(),
            steps in prop::collection::vec((1i64..4, action()), 0..30),
        ) {
            let mut a = Approval::new(mode, CREATOR);
            for (user, action) in steps {
                let before = a.clone();
                match a.apply(user, action) {
                    Ok(next) => {
                        prop_assert!(!before.state.is_final(), "{:?} moved on from {:?}", action, before.state);
                        a = next;
                    }
                    Err(_) => prop_assert_eq!(&a, &before),
                }
                let mut seen = a.approved_by.clone();
                seen.sort_unstable();
                seen.dedup();
                prop_assert_eq!(seen.len(), a.approved_by.len(), "nobody approves twice");
                prop_assert!(a.approved_by.iter().all(|u| a.first == Some(*u) || a.last == Some(*u)));
                if a.state == State::Accepted {
                    match mode {
                        ApprovalMode::None => prop_assert!(a.approved_by.is_empty()),
                        ApprovalMode::Single => prop_assert_eq!(&a.approved_by, &vec![a.first.unwrap_or(-1)]),
                        ApprovalMode::DoubleUnordered => {
                            prop_assert_eq!(a.approved_by.len(), 2);
                            prop_assert!(a.first != a.last);
                        }
                        ApprovalMode::DoubleOrdered => {
                            prop_assert_eq!(&a.approved_by, &vec![a.first.unwrap_or(-1), a.last.unwrap_or(-1)]);
                        }
                    }
                }
                if a.state == State::FirstApproved {
                    prop_assert_eq!(a.approved_by.len(), 1);
                    prop_assert!(matches!(mode, ApprovalMode::DoubleUnordered | ApprovalMode::DoubleOrdered));
                }
            }
        }
    }
}
