-- wrk script for bench/load.py --client wrk (the default): the requests of one scenario, read from
-- the files load.py writes into THUDO_WRK_DIR:
--   requests.txt  one request per line: METHOD <tab> PATH <tab> HEADERS (name: value, joined by \31)
--   body.bin      the body sent with every request (empty file: none)
--   settings.txt  "cycle" (reads: go round the list) or "once" (writes: each line once, then the
--                 thread sends HEAD /static/web/site.css to stay busy; those are not counted),
--                 "idempotency" when each request needs its own Idempotency-Key
-- Each thread starts at its own place in the list. done() prints one JSON object on stdout.

local dir = os.getenv("THUDO_WRK_DIR")
local tag = os.getenv("THUDO_WRK_TAG") or "run"
local threads = {}
local next_id = 0

local function read_file(name)
  local fh = assert(io.open(dir .. "/" .. name, "rb"))
  local data = fh:read("*a")
  fh:close()
  return data
end

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local lines, body, cycle, idem = {}, nil, true, false
local pos, stop_at = 0, 0
-- Globals, not locals: done() reads them from each thread with thread:get().
qsum, qn, qmax, spare = 0, 0, 0, 0

function init(args)
  for line in read_file("requests.txt"):gmatch("[^\n]+") do
    table.insert(lines, line)
  end
  body = read_file("body.bin")
  if body == "" then body = nil end
  local settings = read_file("settings.txt")
  cycle = settings:find("cycle") ~= nil
  idem = settings:find("idempotency") ~= nil
  local nthreads = tonumber(os.getenv("THUDO_WRK_THREADS") or "1")
  local share = math.floor(#lines / nthreads)
  pos = id * share
  stop_at = cycle and math.huge or (id + 1) * share
end

local function parse(line)
  local method, path, rest = line:match("^(%S+)\t([^\t]+)\t?(.*)$")
  local headers = {}
  for h in rest:gmatch("[^\31]+") do
    local name, value = h:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  return method, path, headers
end

function request()
  if pos >= stop_at then
    spare = spare + 1
    return wrk.format("HEAD", "/static/web/site.css")
  end
  local line = lines[(pos % #lines) + 1]
  pos = pos + 1
  local method, path, headers = parse(line)
  if idem then
    headers["Idempotency-Key"] = string.format("%s-%d-%d", tag, id, pos)
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  local q = headers["X-Queries"]
  if q then
    q = tonumber(q)
    qsum = qsum + q
    qn = qn + 1
    if q > qmax then qmax = q end
  end
end

function done(summary, latency, requests)
  local qs, qc, qm, spares = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    qs = qs + t:get("qsum")
    qc = qc + t:get("qn")
    spares = spares + t:get("spare")
    if t:get("qmax") > qm then qm = t:get("qmax") end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
      .. '"spare": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, '
      .. '"queries_sum": %d, "queries_n": %d, "queries_max": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    spares, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    qs, qc, qm))
end
