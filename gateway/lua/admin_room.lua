-- An admin change of a room's knobs and its audit entry, in one atomic step: the values before
-- are read, the change is written, and the entry goes to the edition's capped audit stream.
-- KEYS: room, audit stream
-- ARGV: who, from, edition, phase, stream_max, then field/value pairs (status, rate, max_active)
-- Returns the entry's fields: ts, who, what, edition, phase, before, after, from
local before, after = {}, {}
local set = {}
for i = 6, #ARGV, 2 do
  local field, value = ARGV[i], ARGV[i + 1]
  before[field] = redis.call('HGET', KEYS[1], field) or false
  after[field] = value
  set[#set + 1] = field
  set[#set + 1] = value
end
redis.call('HSET', KEYS[1], unpack(set))
local t = redis.call('TIME')
local ts = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local entry = {'ts', ts, 'who', ARGV[1], 'what', 'room.update', 'edition', ARGV[3], 'phase', ARGV[4],
               'before', cjson.encode(before), 'after', cjson.encode(after), 'from', ARGV[2]}
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[5], '*', unpack(entry))
return entry
