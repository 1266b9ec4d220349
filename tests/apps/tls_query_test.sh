#!/usr/bin/env bash
# twain serve over TLS 1.3 and twain query as two processes: the prediction must equal the one from
# a plain server; a wrong pin, a wrong CA, a plain server and another model (--expect-model) must
# each be refused with a clear message, and the server must keep serving afterwards.
set -euo pipefail
twain=$1
make_pki=$2
root=$3
model=$root/models/fashion_mnist/model.onnx
image=$root/models/fashion_mnist/images/0002_trouser.png
dir=$(mktemp -d)
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT

fail() { echo "FAIL: $*"; for f in "$dir"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }

"$make_pki" "$dir/pki" >"$dir/pins"
server_pin=$(sed -n 's/^server_pin //p' "$dir/pins")
other_pin=$(sed -n 's/^self_signed_pin //p' "$dir/pins")
[ -n "$server_pin" ] && [ -n "$other_pin" ] || fail "no pins from $make_pki"

# start_server NAME ARGS...: starts twain serve, waits for its port; sets $port.
start_server() {
  local name=$1
  shift
  "$twain" serve --model "$model" --port 0 "$@" 2>"$dir/$name.log" &
  servers+=($!)
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/$name.log")
    [ -n "$port" ] && return
    sleep 0.1
  done
  fail "server $name did not start"
}

# The prediction lines (between the header and the next section).
prediction() { sed -n '/^prediction (top/,/^client.s view/p' | grep -v "^client.s view"; }

start_server plain --max-sessions 2
plain_port=$port
start_server tls --max-sessions 5 --tls-cert "$dir/pki/server.pem" --tls-key "$dir/pki/server.key"
tls_port=$port
fingerprint=$(sed -n 's/.*model fingerprint \([0-9a-f]*\).*/\1/p' "$dir/tls.log")
[ ${#fingerprint} -eq 64 ] || fail "the TLS server printed no model fingerprint"
grep -q "certificate key pin $server_pin" "$dir/tls.log" || fail "the TLS server printed another pin than $server_pin"

# 1. The same prediction from the plain and the TLS server (CA check, then pin with the model).
"$twain" query --server 127.0.0.1:"$plain_port" --image "$image" --topk 3 >"$dir/plain.out" || fail "plain query failed"
"$twain" query --server 127.0.0.1:"$tls_port" --image "$image" --topk 3 --tls-ca "$dir/pki/ca.pem" \
  --json "$dir/ca.json" >"$dir/ca.out" || fail "query with --tls-ca failed"
"$twain" query --server 127.0.0.1:"$tls_port" --image "$image" --topk 3 --tls-pin "$server_pin" \
  --expect-model "$fingerprint" >"$dir/pin.out" || fail "query with --tls-pin and --expect-model failed"
cat "$dir/ca.out"
grep -q "1. Trouser" "$dir/plain.out" || fail "wrong plain prediction"
[ -n "$(prediction <"$dir/plain.out")" ] || fail "no prediction in the plain output"
diff <(prediction <"$dir/plain.out") <(prediction <"$dir/ca.out") || fail "TLS (CA) prediction differs from plain"
diff <(prediction <"$dir/plain.out") <(prediction <"$dir/pin.out") || fail "TLS (pin) prediction differs from plain"
grep -q "^TLS 1.3 (TLS_" "$dir/ca.out" || fail "no TLS line in the query output"
grep -q "model fingerprint $fingerprint" "$dir/ca.out" || fail "the client printed another fingerprint"
grep -q "\"model_fingerprint\": *\"$fingerprint\"" "$dir/ca.json" || fail "no model_fingerprint in --json"

# expect_refusal NAME PATTERN ARGS...: the query must exit non-zero, within 10 s, saying PATTERN.
expect_refusal() {
  local name=$1 pattern=$2
  shift 2
  local start=$SECONDS
  if timeout 20 "$twain" query --image "$image" "$@" >"$dir/$name.out" 2>"$dir/$name.err"; then
    fail "$name: the query succeeded"
  fi
  cat "$dir/$name.err"
  grep -q -- "$pattern" "$dir/$name.err" || fail "$name: expected '$pattern'"
  [ $((SECONDS - start)) -lt 10 ] || fail "$name: took $((SECONDS - start)) s"
}
# 2. A pin of another key, a CA that did not issue the certificate, another model.
expect_refusal wrong_pin "is not the pinned $other_pin" --server 127.0.0.1:"$tls_port" --tls-pin "$other_pin"
expect_refusal wrong_ca "certificate verify failed (unable to get local issuer certificate)" \
  --server 127.0.0.1:"$tls_port" --tls-ca "$dir/pki/other_ca.pem"
expect_refusal wrong_model "not the expected 0000000000000000000000000000000000000000000000000000000000000000" \
  --server 127.0.0.1:"$tls_port" --tls-pin "$server_pin" --expect-model "$(printf '0%.0s' $(seq 64))"
# 3. A TLS client against the plain server.
expect_refusal plain_server "did not answer TLS (a plain twain server?)" \
  --server 127.0.0.1:"$plain_port" --tls-pin "$server_pin"

wait "${servers[@]}"
cat "$dir/tls.log"
for n in 1 2; do grep -q "session $n from .*: done in" "$dir/tls.log" || fail "TLS session $n did not complete"; done
grep -q "session 1 from .*: done in .* bytes (.* bytes of TLS records, TLS_" "$dir/tls.log" || fail "no TLS byte count"
grep -q "session 3 from .*: no valid request: .*refused the handshake" "$dir/tls.log" || fail "session 3 (wrong pin)"
grep -q "session 4 from .*: no valid request: .*refused the handshake" "$dir/tls.log" || fail "session 4 (wrong CA)"
grep -q "session 5 from .*: no valid request" "$dir/tls.log" || fail "session 5 (another model)"
echo "tls query: same prediction as plain; wrong pin, wrong CA, another model and a plain server refused"
