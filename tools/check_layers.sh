#!/usr/bin/env bash
# Fails when a source file includes a twain header from a layer above its own (DESIGN.md section 3).
# Link errors catch out-of-line back-edges; this also catches header-only ones.
set -euo pipefail
src="$(cd "$(dirname "$0")/../src" && pwd)"
declare -A allowed=(
  [core]="core"
  [net]="core net"
  [math]="core math"
  [he]="core math he"
  [ot]="core net ot"
  [linear]="core net math he linear"
  [nonlinear]="core net ot nonlinear"
  [model]="core model"
  [onnx]="core model onnx"
  [engine]="core net math he ot linear nonlinear model onnx engine"
)
status=0
for layer in "${!allowed[@]}"; do
  [ -d "$src/$layer" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
      echo "layering violation: ${file#"$src"/} (layer $layer) includes a header of layer $target"
      status=1
    fi
  done < <(grep -HE '#include "[a-z_]+/' "$src/$layer"/*.hpp "$src/$layer"/*.cpp || true)
done
[ $status -eq 0 ] && echo "layering: every include points down"
exit $status
