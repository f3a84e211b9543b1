-- wrk script: file a progress update through the real form, a new submission token each time.
-- BENCH_SESSION, BENCH_CSRF and BENCH_ORG come from the environment (bench/run.py sets them).
local session = os.getenv("BENCH_SESSION")
local csrf = os.getenv("BENCH_CSRF")
local org = os.getenv("BENCH_ORG")
-- Each wrk thread has its own Lua state: seeded with the clock alone, both threads drew the same tokens,
-- so half the posts were double submissions (answered with the first one's page, nothing written).
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
init = function(args)
  math.randomseed(os.time() * 1000 + thread_number)
end

local function uuid()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

request = function()
  local body = "csrfmiddlewaretoken=" .. csrf .. "&organization=" .. org ..
    "&status=limited&as_of=2020-01-15&as_of_precision=day" ..
    "&narrative=Benchmark+update+filed+through+the+form+under+load." ..
    "&evidence_urls=https%3A%2F%2Fexample.org%2Fbench&submission_token=" .. uuid()
  return wrk.format("POST", "/progress/new/?item=R56&actor=KEN", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
  }, body)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f requests=%d errors=%d rps=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.requests / (summary.duration / 1e6)))
end
