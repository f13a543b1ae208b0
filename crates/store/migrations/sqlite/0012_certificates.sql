-- 電子証明書: the company option and the client certificates the bank's CA issued.
-- Keep in step with the other engine's file.

-- The bank operator's switch: 1 when a login of the company also needs the user's client
-- certificate (電子証明書方式).
alter table companies add column opt_certificate bigint not null default 0
    check (opt_certificate in (0, 1));

-- Every certificate issued, kept after revocation (the CRL lists the revoked ones until
-- they expire). serial is the certificate's serial number in upper-case hex, fingerprint
-- the SHA-256 of its DER. At most one certificate in use per user (revoked_at null): a new
-- issue revokes the previous one in the same transaction.
create table certificates (
    id integer primary key,
    company_id bigint not null references companies (id),
    user_id bigint not null references users (id),
    serial text not null,
    fingerprint text not null,
    not_before bigint not null,
    not_after bigint not null,
    issued_at bigint not null,
    revoked_at bigint,
    revoked_by bigint references users (id),
    revoke_reason text
);
create unique index certificates_serial on certificates (serial);
create unique index certificates_in_use on certificates (user_id) where revoked_at is null;
create index certificates_company on certificates (company_id, user_id, issued_at);
create index certificates_revoked on certificates (revoked_at) where revoked_at is not null;

-- The certificate a session logged in with: every request of that session must come
-- over a connection presenting the same certificate.
alter table sessions add column certificate_serial text;
