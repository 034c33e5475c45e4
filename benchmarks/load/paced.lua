-- wrk script: a constant request rate with latency corrected for coordinated omission (the method of wrk2,
-- which Debian does not package, on Debian's wrk). Two schedules (WRK_SCHEDULE):
--
--   thread (default): WRK_PATHS=paths.txt WRK_RATE=12000 WRK_THREADS=2 wrk -t2 -c256 -d15s -s paced.lua URL
--   connection:       WRK_PATHS=paths.txt WRK_RATE=12000 WRK_CONNECTIONS=16 WRK_SCHEDULE=connection \
--                       wrk -t16 -c16 -d15s -s paced.lua URL
--
-- In both, requests are due on a fixed schedule whatever the server does, and a request that could not be sent
-- when it was due (every connection that could carry it was still waiting for an answer) counts its latency from
-- its due time: the time it queued behind slow answers is the server's, as for a user who clicked at the due time
-- (a closed loop would leave that time out: "coordinated omission"). A request sent on time is counted from its
-- send: wrk's timers have millisecond resolution, and that jitter is the load generator's, not the server's.
--
-- thread: each wrk thread owns an even share of the rate and hands its next due time to whichever of its
-- connections is free (like a fleet of clients, where a slow answer holds one client, not the schedule). Wrk's
-- Lua API does not say which connection an answer belongs to, so the latencies are wrk's own (histogram of send to
-- answer, per request), and the script counts the late requests (due before any connection was free) and their
-- largest lateness. The corrected percentiles are then bounded from above without assuming anything, by the
-- smaller of two bounds: (1) correcting changes at most `late` of the N latencies, so the corrected q-th
-- percentile is at most wrk's percentile at q + 100 * late / N (wrk's maximum plus the largest lateness once that
-- passes 100); (2) a late request's corrected latency is its own latency plus its lateness, at most the largest
-- lateness, so every corrected latency, and with it every percentile, is at most wrk's plus the largest lateness.
-- (1) is the tighter when few requests were late by much, (2) when many were late by little. With no late
-- request both are exact. Two threads cost wrk less CPU per request than one thread per connection
-- (measured on this machine at 12,000-17,700 req/s: 20-29 vs 29-38 us), CPU the server shares on 2 cores.
--
-- connection: one connection per thread (-tN -cN), each on its own schedule (every WRK_CONNECTIONS / WRK_RATE
-- seconds, the connections' schedules staggered); the Lua state then knows its one connection, so every latency
-- is corrected exactly and kept (the percentiles come from all of them). The price is N wrk threads, each woken
-- for each of its requests. The latency is taken when wrk asks for the connection's next pause (delay(), called
-- as soon as the answer is complete and the socket writable: a few microseconds later, never earlier), which
-- spares wrk parsing answers for a response() hook.
--
-- What neither can show: the connections are fixed, so a stall queues requests instead of opening connections as
-- a browser fleet would; wrk still shares the machine's cores with the server.
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

local per_connection = os.getenv("WRK_SCHEDULE") == "connection"
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local requests = {}
local n, i = 0, 0
-- the schedule: due times start_us + k * interval_us, staggered over the schedules (threads or connections)
local schedules, interval_us, start_us, k = 1, 0, nil, 0
late = 0
late_max_us = 0
latencies = {}

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
  i = ((id or 1) * 7919) % n
  schedules = tonumber(os.getenv(per_connection and "WRK_CONNECTIONS" or "WRK_THREADS"))
  interval_us = schedules / tonumber(os.getenv("WRK_RATE")) * 1e6
end

local function next_due(now)
  if start_us == nil then
    start_us = now + ((id or 1) - 1) * interval_us / schedules
  end
  local due = start_us + k * interval_us
  k = k + 1
  return due
end

local function pause_ms(due, now)
  local wait_ms = (due - now) / 1000
  if wait_ms <= 0 then
    return 0
  end
  return math.floor(wait_ms + 0.5)
end

-- connection schedule: the one outstanding request of this thread's connection, and whether it was sent late
local due_us, sent_us, outstanding, sent_late = 0, 0, false, false

-- the next due time, taken by a connection that is free at `now`; counts it late if it is already past
local function take_due(now)
  local due = next_due(now)
  if now > due then
    late = late + 1
    late_max_us = math.max(late_max_us, now - due)
  end
  return due
end

-- WRK_LOG=file (connection schedule only): every request's due-or-sent time and corrected latency (us) are
-- written there at the end, one "start_us latency_us" line each, the start in microseconds since the epoch
-- (CLOCK_REALTIME, as bash's $EPOCHREALTIME, which a caller reads without starting a process), so that it can cut
-- the run into time windows around its own actions (benchmarks/swap.sh). The latencies stay monotonic differences.
local log_path = os.getenv("WRK_LOG")
if log_path == "" then
  log_path = nil
end
starts = {}
local realtime_offset_us = 0
if log_path then
  local mono = now_us()
  ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME
  realtime_offset_us = tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3 - mono
end

if per_connection then
  -- wrk calls delay() before every request of the connection, i.e. right after the previous answer arrived.
  function delay()
    local now = now_us()
    if outstanding then
      local from = sent_late and due_us or sent_us
      latencies[#latencies + 1] = now - from
      if log_path then
        starts[#starts + 1] = from + realtime_offset_us
      end
      outstanding = false
    end
    due_us = take_due(now)
    sent_late = now > due_us
    return pause_ms(due_us, now)
  end
else
  -- wrk calls delay() when one of the thread's connections is free to send (right after its answer arrived):
  -- it takes the thread's next due time.
  function delay()
    local now = now_us()
    return pause_ms(take_due(now), now)
  end
end

local function next_request()
  i = i % n + 1
  return requests[i]
end

if per_connection then
  function request()
    sent_us = now_us()
    outstanding = true
    return next_request()
  end
else
  -- wrk times each request itself; the thread schedule keeps no per-request state
  request = next_request
end

function done(summary, latency, requests)
  local lates, late_max = 0, 0
  local all = {}
  local log = log_path and assert(io.open(log_path, "w"))
  for _, thread in ipairs(threads) do
    lates = lates + thread:get("late")
    late_max = math.max(late_max, thread:get("late_max_us"))
    if per_connection then
      local l = thread:get("latencies")
      for j = 1, #l do
        all[#all + 1] = l[j]
      end
      if log_path then
        local s = thread:get("starts")
        for j = 1, #s do
          log:write(string.format("%.0f %.0f\n", s[j], l[j]))
        end
      end
    end
  end
  local total = summary.requests
  local pct -- corrected percentile p (ms): exact (connection) or an upper bound (thread)
  if per_connection then
    table.sort(all)
    pct = function(p)
      if #all == 0 then
        return 0
      end
      return all[math.max(1, math.min(#all, math.ceil(p / 100 * #all)))] / 1000
    end
  else
    pct = function(p)
      local q = p + 100 * lates / math.max(1, total)
      local few = q >= 100 and latency.max + late_max or latency:percentile(q) -- bound (1)
      -- bound (2); late_max is 0 if none was late (wrk's percentile(100) is not its maximum: 0 here)
      local shifted = (p >= 100 and latency.max or latency:percentile(p)) + late_max
      return math.min(few, shifted) / 1000
    end
  end
  if log then
    log:close()
  end
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f requests=%d " ..
    "non2xx=%d socket_errors=%d late=%d late_max_ms=%.3f uncorrected_p99_ms=%.3f target_rps=%s schedule=%s\n",
    total / (summary.duration / 1e6), pct(50), pct(99), pct(99.9), pct(100), total, e.status,
    e.connect + e.read + e.write + e.timeout, lates, late_max / 1000, latency:percentile(99) / 1000,
    os.getenv("WRK_RATE"), per_connection and "connection" or "thread"))
end
