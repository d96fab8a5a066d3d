-- Loads one session's capacities, idempotently: a new category starts fully available; an
-- existing one gets its new capacity with available = capacity - held - sold, unless that would
-- drop below held + sold (refused, nothing changes for it). Sales are never reset.
-- replicated: yes (what it writes must survive the loss of the primary: WAIT redis.replicas_ack)
-- KEYS: inv
-- ARGV: category_1, capacity_1, ...
-- Returns per category: 'created' | 'unchanged' | 'updated' | 'refused:<held+sold>'
local inv = KEYS[1]
local out = {}
for i = 1, #ARGV, 2 do
  local cat, cap = ARGV[i], tonumber(ARGV[i + 1])
  local r = redis.call('HMGET', inv, 'c:' .. cat, 'h:' .. cat, 's:' .. cat)
  if not r[1] then
    redis.call('HSET', inv, 'c:' .. cat, cap, 'a:' .. cat, cap, 'h:' .. cat, 0, 's:' .. cat, 0)
    out[#out + 1] = 'created'
  else
    local taken = tonumber(r[2]) + tonumber(r[3])
    if cap < taken then
      out[#out + 1] = 'refused:' .. taken
    elseif cap == tonumber(r[1]) then
      out[#out + 1] = 'unchanged'
    else
      redis.call('HSET', inv, 'c:' .. cat, cap, 'a:' .. cat, cap - taken)
      out[#out + 1] = 'updated'
    end
  end
end
return out
