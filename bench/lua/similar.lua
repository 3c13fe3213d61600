-- wrk script: POST /api/v1/cases/similar, the repeat candidates an operator's registration form
-- asks for while the operator types (scoped, audited: one audit write per request). A place
-- from BENCH_PLACES (village codes), a category from BENCH_CATEGORIES and a description in the
-- words of the demo cases (app/demo_case_texts.cc). BENCH_OPERATOR_COOKIE and
-- BENCH_OPERATOR_CSRF: the session of an operator of 鹰潭市 (bench/run). Besides report.lua's
-- line, prints
--   BENCH_SIMILAR p50_us=N p95_us=N p99_us=N
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local places = lines_of("BENCH_PLACES", "^%d+$")
local categories = lines_of("BENCH_CATEGORIES", "^[a-z_.]+$")
if #places == 0 or #categories == 0 then error("no places or categories") end
local cookie = os.getenv("BENCH_OPERATOR_COOKIE") or error("set BENCH_OPERATOR_COOKIE")
local csrf = os.getenv("BENCH_OPERATOR_CSRF") or error("set BENCH_OPERATOR_CSRF")
local what = {"路灯已经坏了好几天，晚上出行很不方便", "垃圾堆放点很久没人清运，气味很大",
              "路面塌陷了一个大坑，电动车经过很危险", "排水沟堵塞了，一下雨就淹到家门口",
              "附近工地晚上十点以后还在施工，噪音很大", "邻居私自建房占用宅基地，多次协商未果",
              "工地老板拖欠农民工工资三个月", "养猪场污水直排河道，臭味熏天"}
local headers = {["Content-Type"] = "application/json", Cookie = cookie,
                 ["X-CSRF-Token"] = csrf}

generate_with(function(thread, n)
  local body = string.format('{"place":"%s","category":"%s","description":"%s"}',
    places[(n * 13 + thread * 101) % #places + 1], categories[(n * 7 + thread) % #categories + 1],
    what[n % #what + 1])
  return wrk.format("POST", "/api/v1/cases/similar", headers, body)
end)

local report_done = done
function done(summary, latency, requests)
  report_done(summary, latency, requests)
  io.write(string.format("BENCH_SIMILAR p50_us=%d p95_us=%d p99_us=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
