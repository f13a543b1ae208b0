-- The 操作履歴 stored in `seq` order. `seq bigint primary key` is not SQLite's rowid: the
-- table was ordered by a hidden rowid with `seq` a unique index beside it, so reading
-- entries in `seq` order (verification's pass, a range of numbers) looked every entry up
-- twice, once in the index and once in the table (a third of a verification's time,
-- docs/performance.md). `integer primary key` makes `seq` the rowid: a range of numbers is
-- a range of the table itself, and the extra index is gone. The table is rebuilt (its
-- indexes and triggers as 0009–0011 made them); PostgreSQL's file of this name does
-- nothing (its heap has no such second order). Keep in step with 0001, 0005, 0009–0011.
create table history_in_seq_order (
    seq integer primary key,
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
    hash text not null,
    peer text not null default '',
    format bigint not null default 1,
    chain bigint,
    chain_seq bigint
);
insert into history_in_seq_order (seq, occurred_at, company_id, user_id, login_id, ip,
    user_agent, area, operation, outcome, error_code, details, prev_hash, hash, peer, format,
    chain, chain_seq)
select seq, occurred_at, company_id, user_id, login_id, ip, user_agent, area, operation,
    outcome, error_code, details, prev_hash, hash, peer, format, chain, chain_seq
from history order by seq;
-- Dropping the table drops its indexes and triggers (and fires none).
drop table history;
alter table history_in_seq_order rename to history;

create unique index history_chain_seq on history (chain, chain_seq);
create index history_company_time_seq on history (company_id, occurred_at, seq);
create index history_company_user_time on history (company_id, user_id, occurred_at, seq);
create index history_company_area_time on history (company_id, area, occurred_at, seq);
create index history_company_operation_time on history (company_id, operation, occurred_at, seq);
create index history_company_outcome_time on history (company_id, outcome, occurred_at, seq);
create index history_company_ip_time on history (company_id, ip, occurred_at, seq);

create trigger history_no_update before update on history
begin
    select raise(abort, 'history is append-only');
end;
-- An entry may be deleted only before its chain's recorded start (0010).
create trigger history_no_delete before delete on history
when not exists (
    select 1 from history_purges p
    where p.chain = (case when old.format = 1 then -1 else old.chain end)
      and p.first_seq > (case when old.format = 1 then old.seq else old.chain_seq end)
)
begin
    select raise(abort, 'history is append-only');
end;
