-- Returns a held hold's seats: on request (release) or past its deadline (expire, run by every
-- gateway's reaper). Idempotent; a confirmed seat never comes back.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: hold, account, deadlines, inv_1 .. inv_m
-- ARGV: reason (release | expire), owner ('' = any: service or reaper), hold_id, session_1 .. session_m
-- Returns {'released'|'expired', 'now'} when it returned the seats now, else the hold's status as it
-- was: {'released'|'expired'|'confirmed'} | {'held'} (expire, not due) | {'not_found'}
-- #include lib/room.lua
-- #include lib/checkout.lua
local hold, acct, deadlines = KEYS[1], KEYS[2], KEYS[3]
local h = redis.call('HMGET', hold, 'status', 'account', 'items', 'deadline_ms')
if not h[1] or (ARGV[2] ~= '' and ARGV[2] ~= h[2]) then return {'not_found'} end
if h[1] ~= 'held' then return {h[1]} end
local now = now_ms()
if ARGV[1] == 'expire' and now < tonumber(h[4]) then return {'held'} end
local items = hold_items(h[3], 4, 4)
if not items then return redis.error_reply('release: KEYS do not cover the hold') end
local status = ARGV[1] == 'expire' and 'expired' or 'released'
return_seats(hold, acct, deadlines, ARGV[3], items, status, now)
return {status, 'now'}
