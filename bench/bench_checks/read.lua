-- wrk script: GET /api/v1/accounts/{code}/ (an authenticated one-row read) over the same 100 accounts.
local token = os.getenv("BENCH_TOKEN")
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
  return wrk.format("GET", string.format("/api/v1/accounts/BENCH-%03d/", math.random(0, 99)))
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status, errors, summary.requests))
end
