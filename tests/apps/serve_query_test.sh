#!/usr/bin/env bash
# twain serve and twain query as two processes over loopback TCP: a client that sends garbage, one
# that hangs up after a few bytes, one killed while its session runs, then a well-behaved client
# that must get the right prediction from the same server.
set -euo pipefail
twain=$1
root=$2
model=$root/models/fashion_mnist/model.onnx
image=$root/models/fashion_mnist/images/0002_trouser.png
log=$(mktemp)
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT

"$twain" serve --model "$model" --port 0 --max-sessions 4 2>"$log" &
server=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$log"; exit 1; }

# 1. A client that sends garbage and hangs up.
exec 3<>/dev/tcp/127.0.0.1/"$port"
head -c 4096 /dev/urandom >&3 || true
exec 3>&-

# 2. A client that reads the start of the model description and hangs up.
exec 3<>/dev/tcp/127.0.0.1/"$port"
head -c 64 <&3 >/dev/null
exec 3>&- 3<&-

# 3. A client killed while its session runs.
"$twain" query --server 127.0.0.1:"$port" --image "$image" >/dev/null 2>&1 &
victim=$!
sleep 0.2
kill -9 $victim 2>/dev/null || true
wait $victim 2>/dev/null || true

# 4. A client that must be served correctly.
out=$("$twain" query --server 127.0.0.1:"$port" --image "$image" --topk 1)
echo "$out"
grep -q "1. Trouser" <<<"$out" || { echo "wrong or missing prediction"; cat "$log"; exit 1; }
wait $server
cat "$log"
grep -q "session 4 from .*: done in" "$log" || { echo "the fourth session did not complete"; exit 1; }
echo "serve/query: survived a garbage client, a client that hung up and a killed client, then served the next one"
