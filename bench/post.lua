-- wrk script for POST /items: the 59-byte JSON body of bench/apps/payload.py (POST_BODY).
wrk.method = "POST"
wrk.body = '{"name":"Widget","price":12.5,"quantity":3,"in_stock":true}'
wrk.headers["Content-Type"] = "application/json"
