-- Gives an account its one place in a room: the same place on every call, from any device.
-- Before the slot opens (within the pre-queue window): a number in the slot's pre-queue;
-- from the opening on: the next number at the tail.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: room, slot, places, draw[, pow proof (when the room asks for a proof of work)]
-- ARGV: account, slot_id, start_ms, end_ms, pre_queue_ms, draw (1/0), seed[, proof ttl_ms]
-- Returns {'placed', 'p|slot|n' or 'f|slot|n'} | {'not_drawn'} | {'other_slot', slot}
--       | {'closed', status} | {'outside', now_ms} | {'pow_replayed'}
-- #include lib/room.lua
local room, slot, places, draw = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local account, slot_id = ARGV[1], ARGV[2]
if KEYS[5] and not redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[8]) then return {'pow_replayed'} end
local placed = redis.call('HGET', places, account)
if placed then return {'placed', placed} end
if ARGV[6] == '1' then
  local drawn = redis.call('HGET', draw, account)
  if not drawn then return {'not_drawn'} end
  if drawn ~= slot_id then return {'other_slot', drawn} end
end
local status = room_status(room)
if status == 'closed' or status == 'sold_out' then return {'closed', status} end
local now = now_ms()
local start, finish = tonumber(ARGV[3]), tonumber(ARGV[4])
if now < start - tonumber(ARGV[5]) or now >= finish then return {'outside', tostring(now)} end
if now >= start then open_slot(room, slot, ARGV[7], now) end
local place
if redis.call('HEXISTS', slot, 'base') == 1 then
  place = 'f|' .. slot_id .. '|' .. (redis.call('HINCRBY', room, 'tail', 1) - 1)
else
  place = 'p|' .. slot_id .. '|' .. (redis.call('HINCRBY', slot, 'pre', 1) - 1)
end
redis.call('HSET', places, account, place)
return {'placed', place}
