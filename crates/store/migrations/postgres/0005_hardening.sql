-- Hardening: session stages, credential versions, idempotency keys bound to what they
-- confirmed, and the proxy a request came through. Keep in step with the other engine's file.

-- A session is in exactly one stage ('password_change', 'active'; a new login step adds a
-- stage). It remembers the credential version it was opened under: any change of the
-- user's passwords moves the user's version and ends every other session of the user.
alter table sessions add column stage text not null default 'active';
update sessions set stage = 'password_change' where pending_password_change = 1;
alter table sessions drop column pending_password_change;
alter table sessions add column credential_version bigint not null default 0;
alter table users add column credential_version bigint not null default 0;

-- A key claims one operation with one input: the same key sent again with another
-- operation or another input is refused, never reported as done.
alter table idempotency_keys add column operation text not null default '';
alter table idempotency_keys add column request_hash text not null default '';

-- 操作端末: the address the request came from when a trusted proxy forwarded it.
alter table history add column peer text not null default '';

-- Attempts at a credential whose verdict is still being judged. A claim counts against
-- the lock threshold together with the consecutive failures; a claim older than a minute
-- is taken as abandoned (its request died) and no longer counts.
alter table users add column login_pending bigint not null default 0;
alter table users add column login_pending_at bigint not null default 0;
alter table users add column confirm_pending bigint not null default 0;
alter table users add column confirm_pending_at bigint not null default 0;
