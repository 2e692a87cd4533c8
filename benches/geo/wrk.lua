-- Picks a random request from a file of paths (and, for POST, the body on the same line
-- of a bodies file). With "jitter", moves lat/lon by up to ±0.01° at 4 decimals, so that
-- nearly every public lookup is a cache miss ("cold").
-- Usage: wrk ... -s wrk.lua URL -- PATHS [BODIES|-] [jitter]
local paths, bodies, jitter = {}, {}, false
-- Staff routes need a bearer token (run.sh signs a manager in and exports it).
local token = os.getenv("BENCH_TOKEN")
local function headers(extra)
  local h = extra or {}
  if token and token ~= "" then h["Authorization"] = "Bearer " .. token end
  return h
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  if args[2] and args[2] ~= "-" then
    for line in io.lines(args[2]) do bodies[#bodies + 1] = line end
  end
  jitter = args[3] == "jitter"
  math.randomseed(os.time() * 1000 + (tonumber(tostring({}):sub(8), 16) or 0) % 1000)
end

local function shake(path)
  return (path:gsub("lat=([%-%d%.]+)&lon=([%-%d%.]+)", function(lat, lon)
    return string.format("lat=%.4f&lon=%.4f",
      tonumber(lat) + (math.random() - 0.5) * 0.02, tonumber(lon) + (math.random() - 0.5) * 0.02)
  end))
end

function request()
  local i = math.random(#paths)
  if #bodies > 0 then
    return wrk.format("POST", paths[i], headers({ ["Content-Type"] = "application/json" }), bodies[i])
  end
  if jitter then return wrk.format("GET", shake(paths[i]), headers()) end
  return wrk.format("GET", paths[i], headers())
end
