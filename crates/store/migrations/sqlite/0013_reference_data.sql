-- Reference data the operator loads: the 全銀協 金融機関・支店 master (`madoguchi banks
-- import`) and the days the bank is closed beyond weekends and 12/31–1/3 (`madoguchi
-- calendar import` for 祝日, `calendar close` for the bank's own days). Keep in step with
-- the other engine's file.

-- 金融機関 by its four-digit code; kana is 半角 in the 全銀協 character set (what 全銀
-- files and searches use).
create table banks (
    code text primary key,
    name text not null,
    kana text not null
);
create index banks_kana on banks (kana);

-- 支店 by bank and three-digit code.
create table branches (
    bank_code text not null references banks (code),
    code text not null,
    name text not null,
    kana text not null,
    primary key (bank_code, code)
);
create index branches_kana on branches (bank_code, kana);

-- A closed day, YYYY-MM-DD: a national holiday (replaced by each import) or one of the
-- bank's own.
create table closed_days (
    day text primary key,
    name text not null,
    kind text not null check (kind in ('national', 'bank'))
);
