-- 振込先管理 / 請求先管理 of the file businesses: a company's 振込先 of 総合振込 (list
-- 'bulk_transfer': reference 顧客コード1, reference2 顧客コード2), of 給与・賞与振込 (list
-- 'salary': 社員番号, 所属コード) and its 請求先 of 口座振替 (list 'direct_debit': 顧客番号).
-- Names are 半角カナ of the 全銀協 set; group_name ('' for none) is what 依頼(画面入力)
-- picks payees by. One account appears once in a list; deleted entries are kept (the
-- orders entered from them keep their own copy). Keep in step with the other engine's file.
create table bulk_payees (
    id integer primary key,
    company_id bigint not null references companies (id),
    list text not null check (list in ('bulk_transfer', 'salary', 'direct_debit')),
    bank_code text not null,
    branch_code text not null,
    account_kind bigint not null,
    number text not null,
    name text not null,
    reference text not null,
    reference2 text not null,
    group_name text not null,
    created_by bigint not null references users (id),
    created_at bigint not null,
    deleted_at bigint
);
create unique index bulk_payees_account
    on bulk_payees (company_id, list, bank_code, branch_code, account_kind, number)
    where deleted_at is null;
create index bulk_payees_list on bulk_payees (company_id, list, group_name, id);
-- A 依頼 typed on screen (依頼(画面入力), 1) or uploaded (依頼(ファイル受付), 0): its 確定 needs
-- the permission it came by.
alter table bulk_orders add column entered bigint not null default 0;
