-- wrk script: each request is a 1-ticket hold for the next shopper (tokens from $TOKENS), with a
-- fresh Idempotency-Key. Paths and session come from $HOLD_PATH and $HOLD_SESSION.
local tokens, n, i = {}, 0, 0
local thread_id = 0
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end
function init(args)
  for line in io.lines(os.getenv("TOKENS")) do n = n + 1; tokens[n] = line end
  i = thread_id * 7919
end
local body = '{"items":[{"session":"' .. (os.getenv("HOLD_SESSION") or "DEMO1") .. '","category":"A","quantity":1}]}'
function request()
  i = i + 1
  local headers = {
    ["Authorization"] = "Bearer " .. tokens[(i % n) + 1],
    ["Idempotency-Key"] = "w" .. thread_id .. "-" .. i,
    ["Content-Type"] = "application/json",
  }
  return wrk.format("POST", os.getenv("HOLD_PATH"), headers, body)
end
function done(summary, latency, requests)
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
