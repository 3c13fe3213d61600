-- wrk script: GET /api/v1/noop, the server's own cost per request (the ceiling). It goes through
-- the same Lua request() as jurisdictions.lua, so that the two runs cost the client the same.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")
rotate_over({"/api/v1/noop"})
