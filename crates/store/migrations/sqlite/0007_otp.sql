-- ワンタイムパスワード: the company option, the users' software tokens and the lock of the
-- one-time password. Keep in step with the other engine's file.

-- The bank operator's switch: 1 when the company's contract includes ワンタイムパスワード.
-- (Further contract options, such as 電子証明書方式, become columns beside it.)
alter table companies add column opt_otp bigint not null default 0 check (opt_otp in (0, 1));

-- Wrong one-time passwords counted like the passwords' (see credentials.rs): consecutive
-- failures, attempts being judged, and the lock (ワンタイムパスワード利用停止).
alter table users add column otp_failures bigint not null default 0;
alter table users add column otp_pending bigint not null default 0;
alter table users add column otp_pending_at bigint not null default 0;
alter table users add column otp_locked bigint not null default 0 check (otp_locked in (0, 1));

-- A user's tokens: at most one in use (revoked_at null). The secret is sealed with a key
-- kept outside the database (the row's user and serial are bound into the seal), and
-- last_step is the 30-second step of the last code accepted: a code is accepted only for
-- a later step, so none is ever accepted twice.
create table otp_tokens (
    id integer primary key,
    company_id bigint not null references companies (id),
    user_id bigint not null references users (id),
    serial text not null,
    secret_sealed text not null,
    registered_at bigint not null,
    last_step bigint not null,
    revoked_at bigint,
    revoked_by bigint references users (id)
);
create unique index otp_tokens_in_use on otp_tokens (user_id) where revoked_at is null;
create index otp_tokens_company on otp_tokens (company_id);

-- The token being registered in a session at ワンタイムパスワード利用登録 (sealed like a
-- stored secret), so the code typed is checked against the secret the screen showed.
alter table sessions add column otp_enrollment text;
