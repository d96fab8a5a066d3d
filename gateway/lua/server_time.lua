-- Redis' own clock in milliseconds: the one clock every gateway agrees on.
local t = redis.call('TIME')
return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
