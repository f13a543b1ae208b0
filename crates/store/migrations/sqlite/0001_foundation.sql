-- madoguchi foundation schema (SQLite). Keep in step with migrations/postgres/0001_foundation.sql.
-- Times are BIGINT microseconds since the Unix epoch (UTC), set from Rust; money is BIGINT yen;
-- flags are INTEGER 0/1 (a BOOLEAN column breaks sqlx's Any driver on SQLite).

create table companies (
    id integer primary key,
    name text not null,
    name_kana text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table accounts (
    id integer primary key,
    company_id bigint not null references companies (id),
    branch_code text not null,
    branch_name text not null,
    kind bigint not null check (kind in (1, 2)),
    number text not null,
    holder text not null,
    created_at bigint not null,
    unique (branch_code, kind, number)
);
create index accounts_company on accounts (company_id);

create table bank_ceilings (
    company_id bigint primary key references companies (id),
    transfer_total bigint not null check (transfer_total >= 0),
    transfer_ad_hoc bigint not null check (transfer_ad_hoc >= 0),
    transfer_registered bigint not null check (transfer_registered >= 0),
    bulk_transfer bigint not null check (bulk_transfer >= 0),
    salary bigint not null check (salary >= 0),
    bonus bigint not null check (bonus >= 0),
    direct_debit bigint not null check (direct_debit >= 0),
    updated_at bigint not null
);

create table users (
    id integer primary key,
    company_id bigint not null references companies (id),
    login_id text not null,
    login_key text not null unique,
    name text not null,
    email text not null default '',
    is_master bigint not null default 0 check (is_master in (0, 1)),
    is_admin bigint not null default 0 check (is_admin in (0, 1)),
    login_password_hash text not null,
    confirm_password_hash text,
    must_change_password bigint not null default 0 check (must_change_password in (0, 1)),
    login_failures bigint not null default 0,
    login_locked bigint not null default 0 check (login_locked in (0, 1)),
    confirm_failures bigint not null default 0,
    confirm_locked bigint not null default 0 check (confirm_locked in (0, 1)),
    last_login_at bigint,
    previous_login_at bigint,
    deleted_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index users_company on users (company_id);
create unique index users_one_master on users (company_id) where is_master = 1;

create table sessions (
    id_hash text primary key,
    user_id bigint not null references users (id),
    company_id bigint not null references companies (id),
    csrf_token text not null,
    pending_password_change bigint not null default 0,
    created_at bigint not null,
    last_seen_at bigint not null,
    ip text not null,
    user_agent text not null
);
create index sessions_user on sessions (user_id);

-- Keys are chosen per user (API clients pick their own), so they are unique per user.
create table idempotency_keys (
    user_id bigint not null,
    key text not null,
    created_at bigint not null,
    outcome text not null default '',
    primary key (user_id, key)
);

create table deployment_meta (
    key text primary key,
    value text not null
);

-- The 操作履歴. Append-only: the triggers below refuse UPDATE and DELETE, and each row
-- carries the SHA-256 of its predecessor, so a removed or altered row breaks the chain.
create table history (
    seq bigint primary key,
    occurred_at bigint not null,
    company_id bigint,
    user_id bigint,
    login_id text not null,
    ip text not null,
    user_agent text not null,
    area text not null,
    operation text not null,
    outcome text not null,
    error_code text not null,
    details text not null,
    prev_hash text not null,
    hash text not null
);
create index history_company_time on history (company_id, occurred_at);
create index history_user_time on history (user_id, occurred_at);

create trigger history_no_update before update on history
begin
    select raise(abort, 'history is append-only');
end;

create trigger history_no_delete before delete on history
begin
    select raise(abort, 'history is append-only');
end;

-- The head of the chain: one row, updated in the same transaction as each append, which
-- serialises appends on both engines.
create table history_head (
    id bigint primary key check (id = 1),
    seq bigint not null,
    hash text not null
);
insert into history_head (id, seq, hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
