-- 利用者停止: an administrator stops a user (管理者による利用停止) — no login, no session —
-- until an administrator sets the サービス状態 back to 利用可能. Keep in step with the
-- other engine's file.
alter table users add column stopped bigint not null default 0;
