-- wrk script: GET /api/v1/search?q=…, a staff member's full-text search (ranked, with snippets,
-- audited), over two-character words and phrases that occur in the demo cases' texts
-- (app/demo_case_texts.cc). BENCH_COOKIE holds the session cookie of a signed-in leader of
-- 鹰潭市 (bench/run), who sees every demo case. Besides report.lua's line, prints
--   BENCH_SEARCH p50_us=N p95_us=N p99_us=N
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local cookie = os.getenv("BENCH_COOKIE") or error("set BENCH_COOKIE to the session cookie")
local queries = {
  -- two characters
  "纠纷", "漏水", "噪音", "工资", "污水", "停水", "补偿", "低保", "养老", "医保", "物业", "违建",
  "垃圾", "路灯", "拆迁", "停电", "油烟", "积水", "欠款", "占道",
  -- longer words and phrases
  "宅基地", "广场舞", "\"路灯已经坏了\"", "\"垃圾堆放点\"", "\"公共厕所\"", "\"窨井盖缺失\"",
  "\"人行道\" 地砖", "\"建筑垃圾\"", "\"私自建房\"", "拖欠 工资", "\"噪音扰民\"", "\"征地补偿\"",
}

local function encode(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local list = {}
for i, q in ipairs(queries) do
  list[i] = {method = "GET", path = "/api/v1/search?limit=20&q=" .. encode(q),
             headers = {Cookie = cookie}}
end
rotate_over(list)

local report_done = done
function done(summary, latency, requests)
  report_done(summary, latency, requests)
  io.write(string.format("BENCH_SEARCH p50_us=%d p95_us=%d p99_us=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
