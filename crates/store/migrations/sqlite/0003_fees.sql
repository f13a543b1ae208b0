-- 手数料情報: the bank's effective-dated 基準手数料 and each company's three fee settings.
-- Keep in step with migrations/postgres/.

-- One row per version of the bank's standard table; the one in force on a 振込指定日 is
-- the latest with effective_date <= that day (ISO dates compare as text on both engines).
create table standard_fee_tables (
    id integer primary key,
    name text not null,
    effective_date text not null unique,
    table_json text not null,
    created_at bigint not null
);

-- kind: payee-transfer (先方負担[振込振替]), payee-bulk (先方負担[総合振込]), payer-bulk (当方負担[総合振込]).
create table company_fee_settings (
    company_id bigint not null references companies (id),
    kind text not null check (kind in ('payee-transfer', 'payee-bulk', 'payer-bulk')),
    use_standard bigint not null check (use_standard in (0, 1)),
    method text not null,
    minimum_payment bigint not null check (minimum_payment >= 0),
    table_json text,
    version bigint not null,
    updated_at bigint not null,
    primary key (company_id, kind)
);
