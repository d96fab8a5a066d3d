-- Shared by the checkout scripts (spliced in at build time).

-- Parses a hold's items "session:category:qty,..." against the inventory keys the caller passed
-- (ARGV session ids from `first_sid`, matching KEYS from `first_key`). Returns nil if the keys do
-- not cover the hold: the script must then change nothing.
local function hold_items(items, first_key, first_sid)
  local inv = {}
  for k = first_key, #KEYS do inv[ARGV[first_sid + k - first_key]] = KEYS[k] end
  local out = {}
  for item in string.gmatch(items, '[^,]+') do
    local s, c, q = string.match(item, '^(.*):(.*):(%d+)$')
    if not s or not inv[s] then return nil end
    out[#out + 1] = {inv = inv[s], session = s, category = c, qty = tonumber(q)}
  end
  return out
end

-- Moves a hold's seats from held back to available, gives the account its counts back, and
-- closes the hold with `status` (released | expired).
local function return_seats(hold, acct, deadlines, hold_id, items, status, now)
  local total = 0
  for _, it in ipairs(items) do
    redis.call('HINCRBY', it.inv, 'h:' .. it.category, -it.qty)
    redis.call('HINCRBY', it.inv, 'a:' .. it.category, it.qty)
    redis.call('HINCRBY', acct, 's:' .. it.session, -it.qty)
    total = total + it.qty
  end
  redis.call('HINCRBY', acct, 'total', -total)
  redis.call('HSET', hold, 'status', status, 'ended_ms', now)
  redis.call('ZREM', deadlines, hold_id)
end
