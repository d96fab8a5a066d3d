-- Refreshes a room: seeds its live knobs, expires idle shoppers, opens slots whose time has
-- come, advances the serving counter by elapsed time x admit rate (time-based, so any number
-- of gateways calling it admit at the configured rate, not a multiple of it), and returns the
-- whole state for the gateways' caches (and ops' proof-of-work setting, '' when none).
-- It also tells the truth about stock, across every category of every session on sale in the
-- phase: 'in' (something available), 'held' (nothing available, but seats sit in holds that may
-- expire: nobody new is let in, no credit is banked), 'out' (nothing available, nothing held:
-- the room is sold out and admits nobody, without an admin call). Seats coming back (expired or
-- released holds, more inventory loaded) make it 'in' again. A category not loaded into Redis
-- yet counts as in stock.
-- A slot's pre-queue block is not entered before grace_ms after the slot opened: its fans learn
-- the shuffle from the (CDN-cached) state first, then the counter moves through it in order.
-- KEYS: room, active, sessions, slot_1 .. slot_n, inv_1 .. inv_m (the sessions on sale)
-- ARGV: rate, max_active, force (1: ops reloaded config, overwrite the live knobs), idle_ms,
--       seed (for slots opened now), grace_ms, n, start_ms_1 .. start_ms_n,
--       then per inventory key: k, category_1 .. category_k
-- #include lib/room.lua
local room, active, sessions = KEYS[1], KEYS[2], KEYS[3]
local n_slots = tonumber(ARGV[7])
local now = now_ms()
if ARGV[3] == '1' then
  redis.call('HSET', room, 'rate', ARGV[1], 'max_active', ARGV[2])
else
  redis.call('HSETNX', room, 'rate', ARGV[1])
  redis.call('HSETNX', room, 'max_active', ARGV[2])
end
redis.call('HSETNX', room, 'status', 'open')
expire_idle(active, sessions, now, tonumber(ARGV[4]))
for i = 4, 3 + n_slots do
  if tonumber(ARGV[i + 4]) <= now then open_slot(room, KEYS[i], ARGV[5], now) end
end

local stock = 'out'
if #KEYS == 3 + n_slots then stock = 'in' end  -- a phase with nothing on sale is never sold out
local a = 8 + n_slots
for i = 4 + n_slots, #KEYS do
  local k = tonumber(ARGV[a])
  for j = 1, k do
    if stock ~= 'in' then
      local c = redis.call('HMGET', KEYS[i], 'a:' .. ARGV[a + j], 'h:' .. ARGV[a + j])
      if not c[1] or tonumber(c[1]) > 0 then stock = 'in'
      elseif tonumber(c[2] or '0') > 0 then stock = 'held' end
    end
  end
  a = a + k + 1
end
redis.call('HSET', room, 'stock', stock)

local r = redis.call('HMGET', room, 'status', 'serving', 'tail', 'rate', 'max_active', 'last_ms', 'carry', 'pow_bits')
local status = room_status(room)
local serving = tonumber(r[2] or '0')
local tail = tonumber(r[3] or '0')
local rate = tonumber(r[4])
local max_active = tonumber(r[5])
local last = tonumber(r[6] or now)
local carry = tonumber(r[7] or '0')
local n_active = redis.call('ZCARD', active)
-- The slots as published; a block opened less than grace_ms ago caps the counter at its base.
local slots, cap, grace = {}, tail, tonumber(ARGV[6])
for i = 4, 3 + n_slots do
  local s = redis.call('HMGET', KEYS[i], 'pre', 'base', 'seed', 'opened_ms')
  slots[#slots + 1] = s
  local base = tonumber(s[2] or '-1')
  if tonumber(s[1] or '0') > 0 and base >= serving and base < cap and tonumber(s[4] or '0') + grace > now then
    cap = base
  end
end
if not (status == 'open' and stock == 'in' and n_active < max_active and serving < cap) then
  -- Held back (paused, no seat available, at the ceiling, nobody waiting, the next block in its
  -- opening grace): no credit is banked.
  redis.call('HSET', room, 'last_ms', now, 'carry', '0')
elseif now > last then
  local credit = carry + (now - last) * rate / 1000
  local n = math.floor(credit)
  carry = credit - n
  serving = math.min(cap, serving + n)
  if serving == cap then carry = 0 end
  redis.call('HSET', room, 'serving', serving, 'last_ms', now, 'carry', tostring(carry))
end
-- (A second gateway calling within the same millisecond changes nothing: it must not reset the
-- fractional credit the first one left, or slow rooms would never advance.)

local out = {status, tostring(serving), tostring(tail), tostring(rate), tostring(max_active), tostring(n_active),
             tostring(now), r[8] or '', stock}
for _, s in ipairs(slots) do
  out[#out + 1] = s[1] or '0'
  out[#out + 1] = s[2] or ''
  out[#out + 1] = s[3] or ''
  out[#out + 1] = s[4] or ''
end
return out
