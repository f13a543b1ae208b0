-- wrk script: 振込振替の依頼 → 確定 as fast as answered, each with a key of its own
-- (a repeated key answers the first 結果 without hashing, which would measure nothing).
-- DATE: a 振込指定日 in the window (GET /api/v1/transfers/form says the first one).
--   COOKIE='__Host-madoguchi_session=…' CSRF=… DATE=2026-12-03 wrk -t2 -c4 -d20s --latency \
--     -s bench/transfer.lua http://127.0.0.1:18181/
-- At most four connections: one user's confirmations are judged five at a time.
local counter = 0
local thread_id = 0
request = function()
  counter = counter + 1
  local body = string.format('{"payee_id":1,"account_id":"1","date":"%s","amount":"1000","fee_side":"payee","confirmation_password":"Kakunin12","idempotency_key":"wrk-%d-%d-%09d"}', os.getenv("DATE"), os.time(), tid, counter)
  return wrk.format("POST", "/api/v1/transfers", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = os.getenv("COOKIE"),
    ["x-csrf-token"] = os.getenv("CSRF"),
    ["sec-fetch-site"] = "same-origin",
  }, body)
end
local threads = {}
setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end
ok = 0
other = 0
sample = ""
response = function(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1; sample = string.sub(body, 1, 60) end
end
done = function(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("thread: ok %d, other %d, %s\n", t:get("ok"), t:get("other"), t:get("sample")))
  end
end
