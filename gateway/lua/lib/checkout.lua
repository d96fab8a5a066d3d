-- Shared by the checkout scripts (spliced in at build time).

-- Parses a hold's items "session:category:qty,..." and names each one's inventory key from the
-- edition's key prefix (`guichet:{edition}:`, the caller's; keys/inventory in core/keys.hpp).
-- The keys are derived here, not passed in KEYS, so that settling a hold is one round trip (the
-- caller does not read the hold first to learn them); they share the edition's hash tag, so they
-- live on the shard of the declared keys.
local function hold_items(items, prefix)
  local out = {}
  for item in string.gmatch(items, '[^,]+') do
    local s, c, q = string.match(item, '^(.*):(.*):(%d+)$')
    if not s then return nil end
    out[#out + 1] = {inv = prefix .. 'inv:' .. s, session = s, category = c, qty = tonumber(q)}
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
