-- Gives an account its one place in a room: the same place on every call, from any device.
-- Before the slot opens (within the pre-queue window): a number in the slot's pre-queue;
-- from the opening on: the next number at the tail. With a draw, the account's slot is the one
-- the draw gave it (read here: the join is one round trip); without, the phase's only slot.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: room, places, draw, slot_1 .. slot_n[, pow proof (when the room asks for a proof of work)]
-- ARGV: account, draw (1/0), pre_queue_ms, seed, proof ttl_ms ('' without a proof), n,
--       then n x (slot_id, start_ms, end_ms)
-- Returns {'placed', 'p|slot|n' or 'f|slot|n'} | {'not_drawn'} | {'closed', status}
--       | {'outside', now_ms, slot_id} | {'pow_replayed'}
-- #include lib/room.lua
local room, places, draw = KEYS[1], KEYS[2], KEYS[3]
local account, n = ARGV[1], tonumber(ARGV[6])
local k = 1
if ARGV[2] == '1' then
  local drawn = redis.call('HGET', draw, account)
  k = nil
  for i = 1, n do
    if ARGV[3 * i + 4] == drawn then k = i end
  end
  if not k then return {'not_drawn'} end  -- not drawn, or drawn for a slot this config lacks
end
if ARGV[5] ~= '' and not redis.call('SET', KEYS[4 + n], '1', 'NX', 'PX', ARGV[5]) then return {'pow_replayed'} end
local placed = redis.call('HGET', places, account)
if placed then return {'placed', placed} end
local status = room_status(room)
if status == 'closed' or status == 'sold_out' then return {'closed', status} end
local slot, slot_id = KEYS[3 + k], ARGV[3 * k + 4]
local start, finish = tonumber(ARGV[3 * k + 5]), tonumber(ARGV[3 * k + 6])
local now = now_ms()
if now < start - tonumber(ARGV[3]) or now >= finish then return {'outside', tostring(now), slot_id} end
if now >= start then open_slot(room, slot, ARGV[4], now) end
local place
if redis.call('HEXISTS', slot, 'base') == 1 then
  place = 'f|' .. slot_id .. '|' .. (redis.call('HINCRBY', room, 'tail', 1) - 1)
else
  place = 'p|' .. slot_id .. '|' .. (redis.call('HINCRBY', slot, 'pre', 1) - 1)
end
redis.call('HSET', places, account, place)
return {'placed', place}
