-- wrk script: a constant request rate, with latency corrected for coordinated omission (the method of wrk2,
-- which Debian does not package, on Debian's wrk). Run with one connection per thread (-tN -cN) so that each
-- Lua state drives exactly one connection:
--
--   WRK_PATHS=paths.txt WRK_RATE=9000 WRK_CONNECTIONS=16 wrk -t16 -c16 -d15s -s paced.lua http://host:port
--
-- Each connection sends on its own fixed schedule (every WRK_CONNECTIONS / WRK_RATE seconds, the connections'
-- schedules staggered), whatever the server does: a slow answer does not slow the schedule down. A request whose
-- due time passed while its connection was still waiting for the previous answer is sent at once and its latency
-- is counted from its due time, not from when it could be sent: the time it queued behind a slow answer is the
-- server's, as for a user who clicked at the due time (a closed loop would leave that time out: "coordinated
-- omission"). A request sent on time is counted from its send: wrk's timers have millisecond resolution, and that
-- jitter is the load generator's, not the server's. Latencies are kept exactly (one number per request) and the
-- percentiles printed by done() come from all of them.
--
-- Cost: the latency is taken when wrk asks for the connection's next pause (delay(), called as soon as the answer
-- is complete and the socket writable: a few microseconds later, so never earlier than the answer), not in
-- response(): a script without response() spares wrk the parsing of every answer's headers into a Lua table and
-- the copy of every body into a Lua string, which on a shared 2-core machine took CPU from the server measured.
-- WRK_LATENCY_AT=response restores the first version of this script (latency taken in response(); same schedule
-- and correction), which load.sh runs beside it to compare the two methods on the same server.
--
-- What it cannot show: the connections are fixed (WRK_CONNECTIONS), so a stall longer than one interval queues
-- requests per connection instead of opening new ones, as a browser fleet would; wrk still shares the machine's
-- cores with the server.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } affinity_timespec;
int clock_gettime(int clock_id, affinity_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("affinity_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local requests = {}
local n, i = 0, 0
local interval_us, start_us, k = 0, nil, 0
local due_us, sent_us, free_at_us = 0, 0, 0
local outstanding = false
local at_response = os.getenv("WRK_LATENCY_AT") == "response"
latencies = {}
late = 0

-- the answer to the outstanding request has just arrived (at now)
local function record(now)
  local from = sent_us
  if free_at_us > due_us then
    -- the connection was still busy with the request before when this one was due
    from = due_us
    late = late + 1
  end
  latencies[#latencies + 1] = now - from
  outstanding = false
end

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then
      n = n + 1
      requests[n] = wrk.format("GET", line)
    end
  end
  i = ((id or 1) * 7919) % n
  local rate = tonumber(os.getenv("WRK_RATE"))
  local connections = tonumber(os.getenv("WRK_CONNECTIONS"))
  interval_us = connections / rate * 1e6
end

-- wrk calls delay() before every request of the connection, i.e. right after the previous answer arrived.
function delay()
  local now = now_us()
  if outstanding then
    record(now)
  end
  if start_us == nil then
    -- stagger the connections over one interval, so that the total rate is even, not bursts of N
    start_us = now + ((id or 1) - 1) * interval_us / tonumber(os.getenv("WRK_CONNECTIONS"))
  end
  free_at_us = now
  due_us = start_us + k * interval_us
  k = k + 1
  local wait_ms = (due_us - now) / 1000
  if wait_ms <= 0 then
    return 0
  end
  return math.floor(wait_ms + 0.5)
end

function request()
  sent_us = now_us()
  outstanding = true
  i = i % n + 1
  return requests[i]
end

if at_response then
  -- defined only in this mode: wrk parses answers for the script only when it has a response() function
  function response(status, headers, body)
    record(now_us())
  end
end

function done(summary, latency, requests)
  local all = {}
  local lates = 0
  for _, thread in ipairs(threads) do
    local l = thread:get("latencies")
    for j = 1, #l do
      all[#all + 1] = l[j]
    end
    lates = lates + thread:get("late")
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then
      return 0
    end
    local idx = math.max(1, math.min(#all, math.ceil(p / 100 * #all)))
    return all[idx] / 1000
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f requests=%d " ..
    "non2xx=%d socket_errors=%d late=%d uncorrected_p99_ms=%.3f target_rps=%s\n",
    summary.requests / secs, pct(50), pct(99), pct(99.9), pct(100), summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, lates, latency:percentile(99) / 1000, os.getenv("WRK_RATE")))
end
