-- Returns a held hold's seats: on request (release) or past its deadline (expire, run by the
-- fleet's reaper). Idempotent; a confirmed seat never comes back.
-- One round trip: the account and inventory keys are named from the hold (lib/checkout.lua).
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: hold, deadlines
-- ARGV: reason (release | expire), owner ('' = any: service or reaper), hold_id,
--       key prefix (guichet:{edition}:)
-- Returns {'released'|'expired', 'now', phase, items} when it returned the seats now, else the
-- hold's status as it was: {'released'|'expired'|'confirmed'} | {'held'} (expire, not due)
-- | {'not_found'}
-- #include lib/room.lua
-- #include lib/checkout.lua
local hold, deadlines, prefix = KEYS[1], KEYS[2], ARGV[4]
local h = redis.call('HMGET', hold, 'status', 'account', 'items', 'deadline_ms', 'phase')
if not h[1] or (ARGV[2] ~= '' and ARGV[2] ~= h[2]) then return {'not_found'} end
if h[1] ~= 'held' then return {h[1]} end
local now = now_ms()
if ARGV[1] == 'expire' and now < tonumber(h[4]) then return {'held'} end
local items = hold_items(h[3], prefix)
if not items then return redis.error_reply('release: the hold\'s items do not parse') end
local status = ARGV[1] == 'expire' and 'expired' or 'released'
return_seats(hold, prefix .. 'acct:' .. h[2], deadlines, ARGV[3], items, status, now)
return {status, 'now', h[5], h[3]}
