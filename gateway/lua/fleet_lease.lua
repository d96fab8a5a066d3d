-- The fleet lease's holder renews it (or lets go of it), only if it still holds it, and tells the
-- other gateways on the fleet's channel, so they know it lives without asking (server/fleet.cpp):
-- a renewal carries what the holder publishes this round ('S' + fields, also written into the
-- fleet's state hash for a gateway that missed it), or just 'L'; letting go says 'R'. Gateways
-- that do not hold it take it with a plain `SET lease id NX PX ttl`.
-- KEYS: lease, state
-- ARGV: holder id, ttl_ms (0: let go of it), channel, message, then field, value, ... (state)
-- Returns 1 (renewed) | 0 (held by another, or let go)
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
  redis.pcall('PUBLISH', ARGV[3], 'R')
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if #ARGV > 4 then redis.call('HSET', KEYS[2], unpack(ARGV, 5)) end
redis.pcall('PUBLISH', ARGV[3], ARGV[4])  -- refused (an ACL without the channel): followers ask instead
return 1
