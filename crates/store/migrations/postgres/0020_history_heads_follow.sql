-- An append in two statements instead of four: the entry takes its number from the
-- sequence as the column's default (the number is not part of an entry's MAC), and each
-- chain's head takes the MAC of its newest entry from this trigger instead of a separate
-- update. The head's position was already moved by the append's first statement (which
-- also locked the row), so only the entry at that position matches. One statement-level
-- trigger reading the inserted rows, not one per row: a bulk insert updates each head
-- once. Keep in step with the other engine's file.
alter table history alter column seq set default nextval('history_seq_gen');

create function history_heads_follow() returns trigger language plpgsql as $$
begin
    update history_heads h set hash = n.hash
    from added n
    where n.format = 2 and n.chain = h.chain and n.chain_seq = h.seq;
    return null;
end;
$$;

create trigger history_heads_follow after insert on history
    referencing new table as added
    for each statement execute function history_heads_follow();
