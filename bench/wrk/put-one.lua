-- PUT a 16-byte value to one key, over and over.
wrk.method = "PUT"
wrk.body = "0123456789abcdef"
wrk.headers["Content-Type"] = "application/octet-stream"
