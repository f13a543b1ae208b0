-- 操作履歴照会 at scale: one index per search condition, each leading with the company and
-- ending with seq, so a page newest-first (seq < cursor) reads one page of one index. The
-- (company_id, occurred_at) index turns a date range into a seq range. Keep in step with
-- the other engine's file.
drop index history_user_time;
create index history_company_seq on history (company_id, seq);
create index history_company_user_seq on history (company_id, user_id, seq);
create index history_company_area_seq on history (company_id, area, seq);
create index history_company_operation_seq on history (company_id, operation, seq);
create index history_company_outcome_seq on history (company_id, outcome, seq);
create index history_company_ip_seq on history (company_id, ip, seq);
