-- SQLite's file of this name rebuilds the 操作履歴 so that `seq` is its rowid (one B-tree
-- instead of a table and an index beside it). A PostgreSQL table has no hidden order of
-- its own to remove: nothing changes here.
select 1;
