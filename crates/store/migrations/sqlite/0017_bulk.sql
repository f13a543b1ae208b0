-- 総合振込, 給与振込, 賞与振込 and 口座振替: a 依頼 is one file (uploaded, or entered on
-- screen and written as one), kept as its header's values and totals in bulk_orders and
-- its records in bulk_records; its approval columns are those of transfers, written by
-- the same conditional updates. 先方負担 deducts per record (deduction, transfer_amount);
-- payer_fee is the 当方負担手数料 of the record's 振込金額. results_* are what the bank's
-- 口座振替 result file reported (result_code per record, 0 振替済 … 9 その他).
-- The outbox becomes one for every business: (business, order_id) replaces transfer_id,
-- and what transfer_outbox held moves into it. Keep in step with the other engine's file.
create table bulk_orders (
    id integer primary key,
    company_id bigint not null references companies (id),
    business text not null
        check (business in ('bulk_transfer', 'salary', 'bonus', 'direct_debit')),
    created_by bigint not null references users (id),
    account_id bigint not null references accounts (id),
    file_name text not null,
    file_size bigint not null,
    file_sha256 text not null,
    requester_code text not null,
    requester_name text not null,
    execution_date text not null,
    deadline bigint not null,
    record_count bigint not null check (record_count > 0),
    total_amount bigint not null check (total_amount > 0),
    fee_side text not null check (fee_side in ('payer', 'payee')),
    deduction_total bigint not null check (deduction_total >= 0),
    transfer_total bigint not null check (transfer_total > 0),
    payer_fee_total bigint not null check (payer_fee_total >= 0),
    warnings text not null,
    mode text not null,
    first_approver bigint references users (id),
    last_approver bigint references users (id),
    approved_first bigint references users (id),
    approved_last bigint references users (id),
    state text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    accepted_at bigint,
    host_result text,
    host_reason text,
    host_at bigint,
    results_at bigint,
    settled_count bigint,
    settled_amount bigint,
    unsettled_count bigint,
    unsettled_amount bigint
);
create index bulk_orders_company on bulk_orders (company_id, business, id);
create index bulk_orders_due on bulk_orders (state, deadline);
create index bulk_orders_date on bulk_orders (business, execution_date, state);

create table bulk_records (
    order_id bigint not null references bulk_orders (id),
    line bigint not null,
    bank_code text not null,
    bank_name text not null,
    branch_code text not null,
    branch_name text not null,
    account_kind bigint not null,
    number text not null,
    name text not null,
    amount bigint not null check (amount > 0),
    deduction bigint not null check (deduction >= 0),
    transfer_amount bigint not null check (transfer_amount > 0),
    payer_fee bigint not null check (payer_fee >= 0),
    new_code bigint not null,
    reference text not null,
    reference2 text not null,
    result_code bigint,
    primary key (order_id, line)
);

create table outbox (
    business text not null,
    order_id bigint not null,
    company_id bigint not null references companies (id),
    created_at bigint not null,
    attempts bigint not null default 0,
    claimed_until bigint not null default 0,
    delivered_at bigint,
    primary key (business, order_id)
);
create index outbox_waiting on outbox (delivered_at, claimed_until, created_at);
insert into outbox (business, order_id, company_id, created_at, attempts, claimed_until,
        delivered_at)
    select 'transfer', transfer_id, company_id, created_at, attempts, claimed_until,
        delivered_at
    from transfer_outbox;
drop table transfer_outbox;
