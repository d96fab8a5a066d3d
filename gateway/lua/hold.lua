-- Takes every item of a hold or nothing. Validates first (live shopper session, per-session and
-- per-ceremony limits, the per-account limit across all phases, availability of every item),
-- then writes; the first outcome is kept under the Idempotency-Key for 24 h, so a retry returns
-- it and the same key with another request is refused.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: account, hold, deadlines, idempotency, room_active, room_sessions, inv_1 .. inv_m
-- ARGV: hold_id, account, phase, shopper_session, idle_ms, hold_ttl_ms, fingerprint,
--       per_account_limit, n, then n x (inv_index, session, category, qty),
--       then m x (session, limit, kind: s | c)
-- Returns {'held', hold_id, deadline_ms} | {'sold_out', session, category, available}
--       | {'limit_session'|'limit_ceremony', session, left} | {'limit_account', left}
--       | {'unknown_category', session, category} | {'session_expired'} | {'idempotency_mismatch'}
-- #include lib/room.lua
local acct, hold, deadlines, idem = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local fingerprint = ARGV[7]
local seen = redis.call('GET', idem)
if seen then
  local fields = {}
  for f in string.gmatch(seen, '[^\t]+') do fields[#fields + 1] = f end
  if fields[1] ~= fingerprint then return {'idempotency_mismatch'} end
  table.remove(fields, 1)
  return fields
end
local now = now_ms()
if not touch_session(KEYS[5], KEYS[6], ARGV[2], ARGV[4], now, tonumber(ARGV[5])) then
  return {'session_expired'}
end
local function outcome(...)
  local r = {...}
  redis.call('SET', idem, fingerprint .. '\t' .. table.concat(r, '\t'), 'PX', 86400000)
  return r
end

local n = tonumber(ARGV[9])
local item_base = 9
local m = #KEYS - 6
local session_base = item_base + 4 * n
local want, total = {}, 0
for i = 0, n - 1 do
  local k = tonumber(ARGV[item_base + 4 * i + 1])
  local q = tonumber(ARGV[item_base + 4 * i + 4])
  want[k] = (want[k] or 0) + q
  total = total + q
end
-- The account's counts in one read: each session's, then the total.
local counted = {}
for k = 1, m do counted[k] = 's:' .. ARGV[session_base + 3 * (k - 1) + 1] end
counted[m + 1] = 'total'
local have = redis.call('HMGET', acct, unpack(counted))
for k = 1, m do
  have[k] = tonumber(have[k] or '0')
  local limit = tonumber(ARGV[session_base + 3 * (k - 1) + 2])
  if have[k] + want[k] > limit then
    local kind = ARGV[session_base + 3 * (k - 1) + 3] == 'c' and 'limit_ceremony' or 'limit_session'
    return outcome(kind, ARGV[session_base + 3 * (k - 1) + 1], tostring(limit - have[k]))
  end
end
local cap = tonumber(ARGV[8])
local have_total = tonumber(have[m + 1] or '0')
if have_total + total > cap then return outcome('limit_account', tostring(cap - have_total)) end
-- Each item's available and held counts in one read (the gateway merged repeated items).
local stock = {}
for i = 0, n - 1 do
  local inv = KEYS[6 + tonumber(ARGV[item_base + 4 * i + 1])]
  local cat = ARGV[item_base + 4 * i + 3]
  local r = redis.call('HMGET', inv, 'a:' .. cat, 'h:' .. cat)
  if not r[1] then return outcome('unknown_category', ARGV[item_base + 4 * i + 2], cat) end
  if tonumber(r[1]) < tonumber(ARGV[item_base + 4 * i + 4]) then
    return outcome('sold_out', ARGV[item_base + 4 * i + 2], cat, r[1])
  end
  stock[i] = {tonumber(r[1]), tonumber(r[2] or '0')}
end

-- All checks passed: write the new counts (one HSET per item and one for the account).
local encoded = {}
for i = 0, n - 1 do
  local inv = KEYS[6 + tonumber(ARGV[item_base + 4 * i + 1])]
  local cat, q = ARGV[item_base + 4 * i + 3], tonumber(ARGV[item_base + 4 * i + 4])
  redis.call('HSET', inv, 'a:' .. cat, stock[i][1] - q, 'h:' .. cat, stock[i][2] + q)
  encoded[#encoded + 1] = ARGV[item_base + 4 * i + 2] .. ':' .. cat .. ':' .. q
end
local counts = {}
for k = 1, m do
  counts[#counts + 1] = counted[k]
  counts[#counts + 1] = have[k] + want[k]
end
counts[#counts + 1] = 'total'
counts[#counts + 1] = have_total + total
redis.call('HSET', acct, unpack(counts))
local deadline = now + tonumber(ARGV[6])
redis.call('HSET', hold, 'account', ARGV[2], 'phase', ARGV[3], 'status', 'held', 'items', table.concat(encoded, ','),
           'created_ms', now, 'deadline_ms', deadline)
redis.call('ZADD', deadlines, deadline, ARGV[1])
return outcome('held', ARGV[1], tostring(deadline))
