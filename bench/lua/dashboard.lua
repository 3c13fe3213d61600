-- wrk script: GET /api/v1/stats?area=COUNTY, the leader's dashboard of a county for this year
-- (issue 7: "dashboard KPIs for a county and a year"), rotating over the demo's three counties
-- of 鹰潭市; BENCH_COOKIE holds the session cookie of a signed-in leader of 3606 (bench/run).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local cookie = os.getenv("BENCH_COOKIE") or error("set BENCH_COOKIE to the session cookie")
local list = {}
for i, county in ipairs({"360602", "360603", "360681"}) do
  list[i] = {method = "GET", path = "/api/v1/stats?area=" .. county, headers = {Cookie = cookie}}
end
rotate_over(list)
