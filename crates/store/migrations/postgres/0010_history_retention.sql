-- Retention of the 操作履歴: a purge removes the oldest entries of a chain, and only
-- behind a signed record of where the chain now starts (its first position kept and the
-- MAC of the entry before it), so what remains verifies on its own. Chain -1 stands for
-- the format-1 entries (by seq). Keep in step with the other engine's file.
create table history_purges (
    id bigserial primary key,
    created_at bigint not null,
    chain bigint not null,
    first_seq bigint not null,
    prev_hash text not null,
    mac text not null
);
create index history_purges_chain on history_purges (chain, first_seq);
create trigger history_purges_no_update_delete before update or delete on history_purges
    for each row execute function history_append_only();
create trigger history_purges_no_truncate before truncate on history_purges
    for each statement execute function history_append_only();

-- An entry may be deleted only before its chain's recorded start. (Someone who can write
-- to the database can forge such a record, but not its MAC: verification refuses it.)
create function history_purge_only() returns trigger language plpgsql as $$
begin
    if exists (
        select 1 from history_purges p
        where p.chain = (case when old.format = 1 then -1 else old.chain end)
          and p.first_seq > (case when old.format = 1 then old.seq else old.chain_seq end)
    ) then
        return old;
    end if;
    raise exception 'history is append-only';
end;
$$;
drop trigger history_no_update_delete on history;
create trigger history_no_update before update on history
    for each row execute function history_append_only();
create trigger history_no_delete before delete on history
    for each row execute function history_purge_only();
