-- 利用者情報: サービス利用権限, 利用可能口座, 利用者一回当たり限度額 and a version for stale
-- edits. Lists are JSON text (small, read and written whole). Keep in step with migrations/sqlite/.
alter table users add column permissions text not null default '[]';
alter table users add column account_ids text not null default '[]';
alter table users add column tx_limits text not null default '{}';
alter table users add column version bigint not null default 1;
-- The confirmation password must be replaced at the next login (one someone else set).
alter table users add column must_change_confirmation bigint not null default 0;
