-- wrk script: POST /api/v1/checks/ with random orders over 100 accounts x their 50 symbols.
-- Symbols of account a are B((a*7+k) % 200) for k in 0..49 (see setup_data.py).
local token = os.getenv("BENCH_TOKEN")
local path = os.getenv("BENCH_PATH") or "/api/v1/checks/"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token " .. token

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

init = function(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

request = function()
  local a = math.random(0, 99)
  local s = (a * 7 + math.random(0, 49)) % 200
  local side = (math.random(2) == 1) and "buy" or "sell"
  local body = string.format(
    '{"account":"BENCH-%03d","symbol":"B%03d","side":"%s","quantity":"%d","price":"100.5"}',
    a, s, side, math.random(1, 100))
  return wrk.format(nil, path, nil, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status, errors, summary.requests))
end
