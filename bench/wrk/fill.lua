-- Memory fill: PUT 100-byte values to N new files, /tree/bench/mem/d0/k0 .. /tree/bench/mem/d{(N-1)/1000}/k999
-- (1,000 files per directory), then stop. N is the first script argument (wrk ... -s fill.lua URL -- N).
-- Run with one wrk thread: the counter is per thread. Requests after the N-th rewrite the last file.
wrk.method = "PUT"
wrk.body = string.rep("x", 100)
wrk.headers["Content-Type"] = "application/octet-stream"
local total = 1000000
local issued = 0
local answered = 0
local connections = 0

init = function(args)
  total = tonumber(args[1]) or total
  connections = tonumber(args[2]) or 256
end

request = function()
  local i = issued
  if issued < total then issued = issued + 1 else i = total - 1 end
  return wrk.format(nil, "/tree/bench/mem/d" .. math.floor(i / 1000) .. "/k" .. (i % 1000))
end

-- Stop once every new file's request has surely been answered: at most one request per connection is in flight.
response = function(status, headers, body)
  answered = answered + 1
  if answered >= total + connections then wrk.thread:stop() end
end
