-- The fleet lease's holder renews it (or lets go of it), only if it still holds it. Gateways
-- that do not hold it take it with a plain `SET lease id NX PX ttl` (server/fleet.cpp).
-- KEYS: lease
-- ARGV: holder id, ttl_ms (0: let go of it)
-- Returns 1 (renewed) | 0 (held by another, or let go)
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
