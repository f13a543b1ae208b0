-- 振込先: a company's payees — 事前登録口座 the bank's operator registered (kind
-- 'registered', the 「事前登録」 category of the limits) and 利用者登録口座 its users
-- registered (kind 'user', 「都度指定」). 受取人名 is 半角カナ of the 全銀協 set. A payee is
-- never reused for another account: deleted ones are kept for the transfers that name them.
-- Keep in step with the other engine's file.
create table payees (
    id integer primary key,
    company_id bigint not null references companies (id),
    kind text not null check (kind in ('registered', 'user')),
    bank_code text not null,
    branch_code text not null,
    account_kind bigint not null,
    number text not null,
    name text not null,
    created_by bigint references users (id),
    created_at bigint not null,
    deleted_at bigint
);
create unique index payees_account on payees (company_id, kind, bank_code, branch_code, account_kind, number)
    where deleted_at is null;
