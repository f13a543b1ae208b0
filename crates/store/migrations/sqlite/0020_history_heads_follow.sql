-- An append in two statements instead of four: the entry takes its number as the rowid
-- SQLite assigns (`seq` is the rowid since 0019; the number is not part of an entry's
-- MAC), and each chain's head takes the MAC of its newest entry from this trigger instead
-- of a separate update. The head's position was already moved by the append's first
-- statement, so only the entry at that position matches. Keep in step with the other
-- engine's file.
create trigger history_heads_follow after insert on history
when new.format = 2
begin
    update history_heads set hash = new.hash where chain = new.chain and seq = new.chain_seq;
end;
