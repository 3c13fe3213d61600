-- wrk script: GET /api/v1/cases/{number}, a staff member's read of a case file, which is audited
-- (one audit entry, a write, per read). The number rotates over the file named by
-- BENCH_CASE_NUMBERS; BENCH_COOKIE holds the session cookie of a signed-in leader (bench/run).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local cookie = os.getenv("BENCH_COOKIE") or error("set BENCH_COOKIE to the session cookie")
local list = {}
for i, number in ipairs(lines_of("BENCH_CASE_NUMBERS", "^%d+%-%d+%-%d+$")) do
  list[i] = {method = "GET", path = "/api/v1/cases/" .. number, headers = {Cookie = cookie}}
end
rotate_over(list)
