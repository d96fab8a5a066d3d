-- A shopper's sign of life: restarts the idle clock of a live session. 1 = alive, 0 = expired.
-- KEYS: active, sessions
-- ARGV: account, session_id, idle_ms
-- #include lib/room.lua
if touch_session(KEYS[1], KEYS[2], ARGV[1], ARGV[2], now_ms(), tonumber(ARGV[3])) then return 1 end
return 0
