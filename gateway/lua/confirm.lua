-- Turns a hold into a sale after payment: held seats become sold. Idempotent (a confirmed hold
-- answers with its payment reference). Past the deadline the hold expires here and then.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: hold, account, deadlines, inv_1 .. inv_m
-- ARGV: hold_id, payment_ref, session_1 .. session_m
-- Returns {'confirmed', payment_ref, 'now'} or {'expired', 'now'} when the hold changes now;
-- {'confirmed', payment_ref} (already) | {'expired'} | {'released'} | {'not_found'} otherwise
-- #include lib/room.lua
-- #include lib/checkout.lua
local hold, acct, deadlines = KEYS[1], KEYS[2], KEYS[3]
local h = redis.call('HMGET', hold, 'status', 'account', 'items', 'deadline_ms', 'payment_ref')
if not h[1] then return {'not_found'} end
if h[1] == 'confirmed' then return {'confirmed', h[5]} end
if h[1] ~= 'held' then return {h[1]} end
local items = hold_items(h[3], 4, 3)
if not items then return redis.error_reply('confirm: KEYS do not cover the hold') end
local now = now_ms()
if now >= tonumber(h[4]) then
  return_seats(hold, acct, deadlines, ARGV[1], items, 'expired', now)
  return {'expired', 'now'}
end
for _, it in ipairs(items) do
  redis.call('HINCRBY', it.inv, 'h:' .. it.category, -it.qty)
  redis.call('HINCRBY', it.inv, 's:' .. it.category, it.qty)
end
redis.call('HSET', hold, 'status', 'confirmed', 'payment_ref', ARGV[2], 'confirmed_ms', now)
redis.call('ZREM', deadlines, ARGV[1])
return {'confirmed', ARGV[2], 'now'}
