-- wrk script: POST /api/v1/cases, a resident's web submission (create-case): each request
-- registers a new case, durably (the response comes after the commit). Each body is new: a place
-- from BENCH_PLACES (village codes), a category from BENCH_CATEGORIES (leaf codes), and a
-- submitter of its own (BENCH_RUN, the thread and a counter make the phone number), so that no
-- case is linked to another as a repeat (Art. 19). Making the body costs the client a few
-- microseconds more than the GET scripts' prepared requests.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local places = lines_of("BENCH_PLACES", "^%d+$")
local categories = lines_of("BENCH_CATEGORIES", "^[a-z_.]+$")
if #places == 0 or #categories == 0 then error("no places or categories") end
local what = {"路灯已经坏了好几天，晚上出行很不方便", "垃圾堆放点很久没人清运，气味很大",
              "路面塌陷了一个大坑，电动车经过很危险", "排水沟堵塞了，一下雨就淹到家门口",
              "附近工地晚上十点以后还在施工，噪音很大"}
local headers = {["Content-Type"] = "application/json"}
local run = tonumber(os.getenv("BENCH_RUN") or "0")  -- bench/run's round, so that rounds differ

generate_with(function(thread, n)
  local body = string.format(
    '{"kind":"demand","category":"%s","place":"%s","description":"%s（压测%d-%d）",' ..
      '"name":"压测用户","contact":"17%d%d%07d","channel":"web"}',
    categories[(n * 7 + thread) % #categories + 1], places[(n * 13 + thread * 101) % #places + 1],
    what[n % #what + 1], thread, n, run % 10, thread % 10, n % 10000000)
  return wrk.format("POST", "/api/v1/cases", headers, body)
end)
