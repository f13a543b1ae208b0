-- 企業情報の変更: approval modes and daily limits. Keep in step with migrations/sqlite/.

-- One row per company; `version` increases with every change, so an edit begun on an
-- older version is refused instead of silently overwriting someone else's change.
create table company_settings (
    company_id bigint primary key references companies (id),
    approval_transfer text not null,
    approval_bulk_transfer text not null,
    approval_salary_bonus text not null,
    approval_direct_debit text not null,
    limit_bulk_transfer bigint not null check (limit_bulk_transfer >= 0),
    limit_salary bigint not null check (limit_salary >= 0),
    limit_bonus bigint not null check (limit_bonus >= 0),
    limit_direct_debit bigint not null check (limit_direct_debit >= 0),
    version bigint not null,
    updated_at bigint not null
);

-- 口座一日当たりの限度額, one row per account.
create table account_limits (
    account_id bigint primary key references accounts (id),
    company_id bigint not null references companies (id),
    transfer_total bigint not null check (transfer_total >= 0),
    transfer_ad_hoc bigint not null check (transfer_ad_hoc >= 0 and transfer_ad_hoc <= transfer_total),
    transfer_registered bigint not null check (transfer_registered >= 0 and transfer_registered <= transfer_total),
    updated_at bigint not null
);
create index account_limits_company on account_limits (company_id);
