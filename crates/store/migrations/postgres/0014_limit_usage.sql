-- The usage of each daily limit, per company, limit and 日本時間 day (YYYY-MM-DD of the
-- acceptance): an order adds its amount with one conditional update per limit
-- (`… set used = used + $amount where used + $amount <= $limit`), in the transaction that
-- accepts it. Keep in step with the other engine's file.
create table limit_usage (
    company_id bigint not null references companies (id),
    scope text not null,
    day text not null,
    used bigint not null check (used >= 0),
    primary key (company_id, scope, day)
);
