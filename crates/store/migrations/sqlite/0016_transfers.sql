-- 振込振替: the orders (依頼) and their approval, and the outbox to the bank's host.
-- An order keeps the payee as it was asked (a registered payee may be deleted later), the
-- 支払金額, the 先方負担手数料 deducted and the 振込金額, the approvers named and who
-- approved. Every change of state is a conditional update on the version it was decided
-- from; the acceptance (受付済み) uses the limits (limit_usage) and puts the order in
-- transfer_outbox in the same transaction. host_* is what the bank's host answered.
-- host_book is the built-in host simulator's own record of what it received (a real host
-- keeps its own). Keep in step with the other engine's file.
create table transfers (
    id integer primary key,
    company_id bigint not null references companies (id),
    created_by bigint not null references users (id),
    account_id bigint not null references accounts (id),
    payee_kind text not null check (payee_kind in ('registered', 'user', 'new')),
    payee_id bigint references payees (id),
    bank_code text not null,
    branch_code text not null,
    account_kind bigint not null,
    number text not null,
    name text not null,
    execution_date text not null,
    deadline bigint not null,
    amount bigint not null check (amount > 0),
    fee_side text not null check (fee_side in ('payer', 'payee')),
    fee bigint not null check (fee >= 0),
    transfer_amount bigint not null check (transfer_amount > 0),
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
    host_at bigint
);
create index transfers_company on transfers (company_id, id);
create index transfers_due on transfers (state, deadline);

create table transfer_outbox (
    transfer_id bigint primary key references transfers (id),
    company_id bigint not null references companies (id),
    created_at bigint not null,
    attempts bigint not null default 0,
    claimed_until bigint not null default 0,
    delivered_at bigint
);
create index transfer_outbox_waiting on transfer_outbox (delivered_at, claimed_until);

create table host_book (
    reference text primary key,
    transfer_id bigint not null,
    result text not null,
    reason text not null,
    received_at bigint not null
);
