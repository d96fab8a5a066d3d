-- Turns a hold into a sale after payment: held seats become sold. Idempotent (a confirmed hold
-- answers with its payment reference). Past the deadline the hold expires here and then.
-- One round trip: the account and inventory keys are named from the hold (lib/checkout.lua).
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: hold, deadlines
-- ARGV: hold_id, payment_ref, key prefix (guichet:{edition}:), owner ('' = the payment service)
-- Returns {'confirmed', payment_ref, 'now', phase, items} or {'expired', 'now', phase, items} when
-- the hold changes now; {'confirmed', payment_ref} (already) | {'expired'} | {'released'}
-- | {'not_found'} (none, or not the owner's) otherwise
-- #include lib/room.lua
-- #include lib/checkout.lua
local hold, deadlines, prefix = KEYS[1], KEYS[2], ARGV[3]
local h = redis.call('HMGET', hold, 'status', 'account', 'items', 'deadline_ms', 'payment_ref', 'phase')
if not h[1] or (ARGV[4] ~= '' and ARGV[4] ~= h[2]) then return {'not_found'} end
if h[1] == 'confirmed' then return {'confirmed', h[5]} end
if h[1] ~= 'held' then return {h[1]} end
local items = hold_items(h[3], prefix)
if not items then return redis.error_reply('confirm: the hold\'s items do not parse') end
local now = now_ms()
if now >= tonumber(h[4]) then
  return_seats(hold, prefix .. 'acct:' .. h[2], deadlines, ARGV[1], items, 'expired', now)
  return {'expired', 'now', h[6], h[3]}
end
for _, it in ipairs(items) do
  redis.call('HINCRBY', it.inv, 'h:' .. it.category, -it.qty)
  redis.call('HINCRBY', it.inv, 's:' .. it.category, it.qty)
end
redis.call('HSET', hold, 'status', 'confirmed', 'payment_ref', ARGV[2], 'confirmed_ms', now)
redis.call('ZREM', deadlines, ARGV[1])
return {'confirmed', ARGV[2], 'now', h[6], h[3]}
