-- wrk script: GET /api/v1/jurisdictions/{code}, the code rotating over the file named by the
-- environment variable BENCH_CODES (one division code a line; bench/run writes it).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local file = os.getenv("BENCH_CODES") or error("set BENCH_CODES to a file of division codes")
local list = {}
for line in io.lines(file) do
  if line:match("^%d+$") then list[#list + 1] = "/api/v1/jurisdictions/" .. line end
end
rotate_over(list)
