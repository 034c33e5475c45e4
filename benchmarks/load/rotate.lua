-- wrk script: GET the paths listed in the file $WRK_PATHS (one per line) in turn, each wrk thread starting at
-- a different offset; optional fixed pause of $WRK_DELAY_MS between a connection's requests (to run below
-- saturation); prints one machine-readable RESULT line with p50/p99/p99.9 (wrk's --latency shows no p99.9).
local paths = {}
local requests = {}
local n = 0
local i = 0
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("offset", thread_counter * 7919)
end

function init(args)
  local key = os.getenv("WRK_API_KEY")
  if key and #key > 0 then
    wrk.headers["X-API-Key"] = key -- load.sh's API_KEY_SCOPE: the server checks it on /v1 paths
  end
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then
      n = n + 1
      requests[n] = wrk.format("GET", line)
    end
  end
  i = (offset or 0) % n
end

function request()
  i = i % n + 1
  return requests[i]
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout))
end
