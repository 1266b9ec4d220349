#!/usr/bin/env bash
# twain's two commands (and two more): installs what is missing from Debian, builds, runs.
#   ./run.sh demo    secure inference of the embedded Fashion-MNIST model on real test images
#   ./run.sh test    the whole test suite through ctest
#   ./run.sh build   configure and build (Release, with tests and benchmarks)
#   ./run.sh bench   build, then run build/bench/twain-bench (extra arguments are passed on)
#   ./run.sh models [names]   export the torchvision models (seeded weights) and run `twain bench`
#                    on each in fast and exact mode (JSON reports in build/reports/)
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(g++ cmake ninja-build pkg-config libgtest-dev libbenchmark-dev libssl-dev libsodium-dev
          libonnx-dev libprotobuf-dev libonnx-testdata libstb-dev nlohmann-json3-dev dataset-fashion-mnist)
# Only `bench` needs these: it exports the ImageNet-size architectures with PyTorch.
BENCH_PACKAGES=(python3-torch python3-torchvision python3-onnx python3-pil)
BUILD_DIR=${TWAIN_BUILD_DIR:-build}

install_missing() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "run.sh: all required Debian packages are installed ($*)"
    return
  fi
  echo "run.sh: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTWAIN_BUILD_TESTS=ON -DTWAIN_BUILD_BENCH=ON
  cmake --build "$BUILD_DIR" --parallel "$(nproc)"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  demo)
    install_missing "${PACKAGES[@]}"
    build
    "$BUILD_DIR/apps/twain" demo --model models/fashion_mnist/model.onnx
    ;;
  test)
    install_missing "${PACKAGES[@]}"
    build
    ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)"
    ;;
  build)
    install_missing "${PACKAGES[@]}"
    build
    ;;
  bench)
    install_missing "${PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    build
    "$BUILD_DIR/bench/twain-bench" "$@"
    ;;
  models)
    install_missing "${PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    build
    models=${*:-squeezenet1_1 squeezenet1_0 resnet50 densenet121 mobilenet_v2}
    /usr/bin/python3 tools/export_models.py --out "$BUILD_DIR/models" --models "${models// /,}"
    mkdir -p "$BUILD_DIR/reports"
    for model in $models; do
      for mode in fast exact; do
        "$BUILD_DIR/apps/twain" bench --model "$BUILD_DIR/models/$model/model.onnx" \
          --image "$BUILD_DIR/models/$model/sample_0.png" --mode "$mode" --check \
          --json "$BUILD_DIR/reports/${model}_${mode}.json"
      done
    done
    ;;
  *)
    echo "usage: ./run.sh demo | test | build | bench [benchmark arguments] | models [names]" >&2
    exit 2
    ;;
esac
