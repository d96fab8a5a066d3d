-- Every category of the given sessions: {c, a, h, s} per category in the order asked.
-- KEYS: inv_1 .. inv_m
-- ARGV: m, then for each session: number of categories k, then k category names
local out = {}
local i = 2
for s = 1, #KEYS do
  local k = tonumber(ARGV[i])
  i = i + 1
  for j = 1, k do
    local cat = ARGV[i]
    i = i + 1
    local r = redis.call('HMGET', KEYS[s], 'c:' .. cat, 'a:' .. cat, 'h:' .. cat, 's:' .. cat)
    out[#out + 1] = r[1] or '-1'
    out[#out + 1] = r[2] or '-1'
    out[#out + 1] = r[3] or '-1'
    out[#out + 1] = r[4] or '-1'
  end
end
return out
