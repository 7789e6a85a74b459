-- PUT 16-byte values to 1,000 keys (/tree/bench/many/k0 .. k999), round robin.
wrk.method = "PUT"
wrk.body = "0123456789abcdef"
wrk.headers["Content-Type"] = "application/octet-stream"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/tree/bench/many/k" .. (n % 1000))
end
