-- wrk script: GET /api/v1/track/{code}, a resident's public look at one case (get-case), the code
-- rotating over the tracking codes in the file named by BENCH_TRACKING_CODES (bench/run writes
-- it from a database filled by `jiceng demo --cases`).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local list = {}
for i, code in ipairs(lines_of("BENCH_TRACKING_CODES", "^[0-9A-Z-]+$")) do
  list[i] = "/api/v1/track/" .. code
end
rotate_over(list)
