-- Shared by the wrk scripts of bench/run: cycles over a list of request paths and, when the run
-- is over, prints one machine-readable line that bench/run parses:
--   BENCH_RESULT requests=N duration_us=N rps=X p50_us=N p95_us=N p99_us=N mean_us=X max_us=N
--                errors_socket=N errors_status=N
-- errors_socket counts connect, read, write errors and timeouts; errors_status counts responses
-- with a status of 400 or more.

local entries = {}

-- Installs setup/init/request over `list`: request paths such as "/api/v1/noop" (GET), or
-- tables {method = , path = , headers = , body = }. Each wrk thread starts at a different place
-- in the list, so that the threads do not ask for the same rows in lockstep.
function rotate_over(list)
  if #list == 0 then error("no paths to request") end
  entries = list
end

-- The lines of the file named by the environment variable `name` that match `pattern`.
function lines_of(name, pattern)
  local file = os.getenv(name) or error("set " .. name .. " (bench/run does)")
  local out = {}
  for line in io.lines(file) do
    if line:match(pattern) then out[#out + 1] = line end
  end
  return out
end

local thread_count = 0
function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local requests = {}
local next_request = 1
function init(args)
  for i, e in ipairs(entries) do
    if type(e) == "string" then
      requests[i] = wrk.format("GET", e)
    else
      requests[i] = wrk.format(e.method, e.path, e.headers, e.body)
    end
  end
  local offset = (thread_index or 0) * 7919
  next_request = offset % #requests + 1
end

-- Makes each request anew instead: fn(thread_index, n) returns the n-th request (1, 2, …) of the
-- thread, formatted with wrk.format. For writes that must differ from one another.
local generate = nil
function generate_with(fn)
  generate = fn
  entries = {"/unused"}
end

local made = 0
function request()
  if generate then
    made = made + 1
    return generate(thread_index or 0, made)
  end
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p95_us=%d p99_us=%d mean_us=%.1f "
      .. "max_us=%d errors_socket=%d errors_status=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
