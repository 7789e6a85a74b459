-- etcd v2: PUT 16-byte values to 1,000 keys (/v2/keys/bench/many/k0 .. k999), round robin (form body value=...).
wrk.method = "PUT"
wrk.body = "value=0123456789abcdef"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/v2/keys/bench/many/k" .. (n % 1000))
end
