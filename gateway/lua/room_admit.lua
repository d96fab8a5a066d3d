-- Turns a fan whose position is below the serving counter into an active shopper, never above
-- the ceiling. One session per account: admitting again returns the live session.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: room, active, sessions
-- ARGV: account, position, idle_ms, new_session_id
-- Returns {'admitted', sid} | {'not_yet', serving, rate} | {'full'} | {'closed', status}
-- #include lib/room.lua
local room, active, sessions = KEYS[1], KEYS[2], KEYS[3]
local account = ARGV[1]
local now = now_ms()
expire_idle(active, sessions, now, tonumber(ARGV[3]))
local sid = redis.call('HGET', sessions, account)
if sid then
  redis.call('ZADD', active, now, account)
  return {'admitted', sid}
end
local r = redis.call('HMGET', room, 'status', 'serving', 'max_active', 'rate', 'stock')
local status = status_of(r[1], r[5])
if status == 'closed' or status == 'sold_out' then return {'closed', status} end
local serving = tonumber(r[2] or '0')
if tonumber(ARGV[2]) >= serving then return {'not_yet', tostring(serving), r[4] or '0'} end
if redis.call('ZCARD', active) >= tonumber(r[3] or '0') then return {'full'} end
redis.call('ZADD', active, now, account)
redis.call('HSET', sessions, account, ARGV[4])
redis.call('HINCRBY', room, 'admitted', 1)
return {'admitted', ARGV[4]}
