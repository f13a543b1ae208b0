-- The 操作履歴 on one chain per company, each entry MAC'd under a key outside the database,
-- and signed checkpoints of the chains' heads. Entries written before stay format 1 on
-- the single SHA-256 chain whose head, history_head, no longer moves. Keep in step with
-- the other engine's file.
alter table history add column format bigint not null default 1;
alter table history add column chain bigint;
alter table history add column chain_seq bigint;
create unique index history_chain_seq on history (chain, chain_seq);

-- Each chain's head: its last chain_seq and MAC. The row is taken by each append.
create table history_heads (
    chain bigint primary key,
    seq bigint not null,
    hash text not null
);

-- Signed checkpoints: every chain's head at a moment, MAC'd; also written to a log file
-- outside the database. Append-only like the history.
create table history_checkpoints (
    id integer primary key,
    created_at bigint not null,
    body text not null,
    mac text not null
);
create trigger history_checkpoints_no_update before update on history_checkpoints
begin
    select raise(abort, 'history is append-only');
end;
create trigger history_checkpoints_no_delete before delete on history_checkpoints
begin
    select raise(abort, 'history is append-only');
end;
