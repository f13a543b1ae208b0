-- 操作履歴照会 lists a company's entries by 操作日時, newest first (ties by seq), and every
-- search index leads with the company, then its condition, and ends with (occurred_at,
-- seq): a page of any condition, with or without an 操作日付 range, is one ordered range
-- of one index. The seq-ordered indexes of 0008 could only turn a date range into a seq
-- range by scanning every entry on one side of it. Keep in step with the other engine's
-- file.
drop index history_company_time;
drop index history_company_seq;
drop index history_company_user_seq;
drop index history_company_area_seq;
drop index history_company_operation_seq;
drop index history_company_outcome_seq;
drop index history_company_ip_seq;
create index history_company_time_seq on history (company_id, occurred_at, seq);
create index history_company_user_time on history (company_id, user_id, occurred_at, seq);
create index history_company_area_time on history (company_id, area, occurred_at, seq);
create index history_company_operation_time on history (company_id, operation, occurred_at, seq);
create index history_company_outcome_time on history (company_id, outcome, occurred_at, seq);
create index history_company_ip_time on history (company_id, ip, occurred_at, seq);
