-- etcd v2: PUT a 16-byte value to one key, over and over (form body value=...).
wrk.method = "PUT"
wrk.body = "value=0123456789abcdef"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
