-- Shared by the room scripts (spliced in at build time by cmake/embed_lua.cmake).

-- Redis' clock in ms: the one clock all gateways agree on.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The room's status as fans meet it: ops' setting, except that a room whose stock is out
-- (room_refresh: nothing available and nothing held in any session on sale) is sold out
-- unless ops closed it.
local function status_of(status, stock)
  if status ~= 'closed' and stock == 'out' then return 'sold_out' end
  return status
end

local function room_status(room)
  local r = redis.call('HMGET', room, 'status', 'stock')
  return status_of(r[1], r[2])
end

-- Opens a slot once: reserves [base, base + n) of the room's queue numbers for the n fans of
-- its pre-queue, who are then shuffled by a keyed permutation. Each slot's key is derived from
-- the caller's random seed and the slot's name, so slots opened together are shuffled apart.
local function open_slot(room, slot, seed, now)
  if redis.call('HEXISTS', slot, 'base') == 1 then return end
  local n = tonumber(redis.call('HGET', slot, 'pre') or '0')
  local base = redis.call('HINCRBY', room, 'tail', n) - n
  redis.call('HSET', slot, 'base', base, 'seed', string.sub(redis.sha1hex(seed .. slot), 1, 32), 'opened_ms', now)
end

-- Active shoppers silent for idle_ms lose their session (bounded work per call).
local function expire_idle(active, sessions, now, idle_ms)
  local gone = redis.call('ZRANGEBYSCORE', active, '-inf', now - idle_ms, 'LIMIT', 0, 1000)
  if #gone > 0 then
    redis.call('ZREM', active, unpack(gone))
    redis.call('HDEL', sessions, unpack(gone))
  end
end

-- True (and the session's idle clock restarted) if `sid` is the account's live session.
local function touch_session(active, sessions, account, sid, now, idle_ms)
  expire_idle(active, sessions, now, idle_ms)
  if redis.call('HGET', sessions, account) ~= sid then return false end
  redis.call('ZADD', active, 'XX', now, account)
  return true
end
