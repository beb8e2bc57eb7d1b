-- wrk script: POST an OpenAI chat request. With RATE set (requests per second, for a run with one
-- wrk thread), requests are sent on a fixed schedule: the thread keeps one slot every 1/RATE
-- seconds, and a connection that is ready waits for the next free slot. A slow target is therefore
-- still offered RATE requests per second, as long as enough connections are free (a connection
-- that was busy past its slot sends at once). Without RATE, every connection sends back to back.
-- Latency is measured from each request's send time, as wrk does.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } tokenomics_timespec;
int clock_gettime(int clock_id, tokenomics_timespec *tp);
]]
local clock = ffi.new("tokenomics_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "none")
wrk.body = '{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"Say hello in five words."}]}'

local rate = tonumber(os.getenv("RATE") or "0")
local interval = rate > 0 and 1000 / rate or 0
local next_slot = nil
function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_slot == nil or next_slot < now - 1000 then next_slot = now end -- start, or more than 1 s behind: do not burst
  local wait = next_slot - now
  next_slot = next_slot + interval
  if wait <= 0 then return 0 end
  return math.floor(wait + 0.5)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
