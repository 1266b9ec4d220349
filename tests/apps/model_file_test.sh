#!/usr/bin/env bash
# twain prepare, then twain serve from the model file as its own process: one query session of
# three images gets each image's right class (the file names carry it) and the fingerprint of the
# ONNX-served model; four images are refused before anything is sent; a truncated or foreign
# file is refused at start with what is wrong.
set -euo pipefail
twain=$1
root=$2
model=$root/models/fashion_mnist/model.onnx
images=$root/models/fashion_mnist/images
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

"$twain" prepare --model "$model" --out "$work/m.twain" --max-images 3 >"$work/prepare.log"
grep -q "model file $work/m.twain" "$work/prepare.log" || { cat "$work/prepare.log"; exit 1; }
onnx_fingerprint=$("$twain" describe --model "$model" --max-images 3 | sed -n 's/^model fingerprint (description and card): //p')

"$twain" serve --model "$work/m.twain" --port 0 --max-sessions 2 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$work/serve.log"; exit 1; }
grep -q "model fingerprint $onnx_fingerprint" "$work/serve.log" ||
  { echo "the file's fingerprint differs from the ONNX model's ($onnx_fingerprint)"; cat "$work/serve.log"; exit 1; }

out=$("$twain" query --server 127.0.0.1:"$port" --image "$images/0002_trouser.png" --image "$images/0009_sneaker.png" \
      --image "$images/0018_bag.png" --topk 1 --json "$work/q.json")
echo "$out"
for pair in "0002_trouser.png: Trouser" "0009_sneaker.png: Sneaker" "0018_bag.png: Bag"; do
  grep -q "$pair" <<<"$out" || { echo "missing or wrong: $pair"; exit 1; }
done
grep -q "3 inferences" <<<"$out" || { echo "the three images did not share one session"; exit 1; }
/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert len(r['images']) == 3, r" "$work/q.json"

if "$twain" query --server 127.0.0.1:"$port" --image "$images/0002_trouser.png" --image "$images/0009_sneaker.png" \
      --image "$images/0018_bag.png" --image "$images/0013_dress.png" >"$work/four.log" 2>&1; then
  echo "four images in a session of three were not refused"; exit 1
fi
grep -q "allows 3 inference(s) per session" "$work/four.log" || { cat "$work/four.log"; exit 1; }
wait $server
grep -q "session 1 from .*: done in" "$work/serve.log" || { cat "$work/serve.log"; exit 1; }

head -c 10000 "$work/m.twain" >"$work/cut.twain"
if "$twain" serve --model "$work/cut.twain" --port 0 2>"$work/cut.log"; then echo "a truncated file was served"; exit 1; fi
grep -q "truncated" "$work/cut.log" && grep -q "twain prepare" "$work/cut.log" || { cat "$work/cut.log"; exit 1; }
printf 'TWAINMF\0garbage' >"$work/foreign.twain"
if "$twain" serve --model "$work/foreign.twain" --port 0 2>"$work/foreign.log"; then echo "a damaged file was served"; exit 1; fi
grep -q "model file" "$work/foreign.log" || { cat "$work/foreign.log"; exit 1; }
echo "model file: prepared, served three images in one session, refused a fourth, a cut and a damaged file"
