#!/usr/bin/env bash
# Peak resident memory of each party: twain serve and twain query as two processes over loopback
# TCP, each under /usr/bin/time, one session. Usage:
#   tools/party_memory.sh TWAIN MODEL.onnx IMAGE [query options, e.g. --mode fast]
set -euo pipefail
twain=$1
model=$2
image=$3
shift 3
server_log=$(mktemp)
client_log=$(mktemp)
trap 'kill $server 2>/dev/null || true; rm -f "$server_log" "$client_log"' EXIT

/usr/bin/time -f "server peak resident memory: %M KiB" "$twain" serve --model "$model" --port 0 --max-sessions 1 \
  --max-concurrent 1 2>"$server_log" &
server=$!
port=
for _ in $(seq 1200); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$server_log")
  [ -n "$port" ] && break
  sleep 0.5
done
[ -n "$port" ] || { echo "the server did not start"; cat "$server_log"; exit 1; }
/usr/bin/time -f "client peak resident memory: %M KiB" "$twain" query --server 127.0.0.1:"$port" --image "$image" "$@" \
  2>"$client_log" | grep -E "^  1\.|setup|offline|online"
wait $server
grep -E "kernels keep|session 1 done|peak resident" "$server_log" || true
grep -E "peak resident" "$client_log"
