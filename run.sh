#!/usr/bin/env bash
# twain's two commands (and two more): installs what is missing from Debian, builds, runs.
#   ./run.sh demo    secure inference of the embedded Fashion-MNIST model on real test images
#   ./run.sh test    the whole test suite through ctest
#   ./run.sh build   configure and build (Release, with tests and benchmarks)
#   ./run.sh bench   build, then run build/bench/twain-bench (extra arguments are passed on)
#   ./run.sh models [names]   export the torchvision models (seeded weights) and run `twain bench`
#                    on each in fast and exact mode (JSON reports in build/reports/)
#   ./run.sh sanitize  the test suite under ASan+UBSan (build-asan, with the `fuzz` label), then the
#                    concurrent-serving tests under TSan (build-tsan)
#   ./run.sh fuzz [seconds]  a libFuzzer campaign: every fuzz target for `seconds` (default 600)
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(g++ cmake ninja-build pkg-config libgtest-dev libbenchmark-dev libssl-dev libsodium-dev
          libonnx-dev libprotobuf-dev libonnx-testdata libstb-dev nlohmann-json3-dev dataset-fashion-mnist
          pybind11-dev python3-dev python3-pytest python3-numpy python3-pil haproxy)
# Only `bench` needs these: it exports the ImageNet-size architectures with PyTorch.
BENCH_PACKAGES=(python3-torch python3-torchvision python3-onnx python3-pil)
# Only `sanitize` and `fuzz` need these: clang and its sanitizer and libFuzzer runtimes.
SANITIZE_PACKAGES=(clang libclang-rt-14-dev)
BUILD_DIR=${TWAIN_BUILD_DIR:-build}
JOBS=$(nproc)

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
  cmake --build "$BUILD_DIR" --parallel "$JOBS"
}

# Clang build with ASan+UBSan and libFuzzer coverage; the same objects link the tests and the
# fuzz targets.
configure_asan() {
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS=-gline-tables-only -DTWAIN_SANITIZE=address,undefined -DTWAIN_BUILD_FUZZ=ON \
    -DTWAIN_BUILD_TESTS=ON -DTWAIN_BUILD_BENCH=OFF
}

# The tests of concurrent serving: net/ (channels, TLS, deadlines), core's thread pool, the
# two-process serve/query runs and the health probe.
TSAN_TARGETS=(twain twain_tests_core twain_tests_net twain_test_pki)
TSAN_TESTS='^(TcpChannel|TlsChannel|MemoryChannel|LinkShaping|ThreadPool|FaultChannel|TranscriptChecksum|apps\.serve_query|apps\.tls_query|apps\.hostile_peers$|apps\.health_probe)'

sanitize() {
  configure_asan
  cmake --build build-asan --parallel "$JOBS"
  # The plain suite's exclusions (long, models, soak): those are sized for an optimised build.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure --parallel "$JOBS" -LE '^(long|models|soak)$'
  CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS=-gline-tables-only -DTWAIN_SANITIZE=thread -DTWAIN_BUILD_TESTS=ON -DTWAIN_BUILD_BENCH=OFF
  cmake --build build-tsan --parallel "$JOBS" --target "${TSAN_TARGETS[@]}"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan --output-on-failure --parallel "$JOBS" -R "$TSAN_TESTS" -LE '^(long|models|soak)$'
}

fuzz_campaign() {
  local seconds=${1:-600}
  configure_asan
  cmake --build build-asan --parallel "$JOBS" --target twain_fuzz_targets
  mkdir -p build-asan/fuzz/campaign
  for binary in build-asan/fuzz/fuzz_*; do
    local name=${binary##*/fuzz_}
    [ -f "fuzz/corpus/$name/$(ls "fuzz/corpus/$name" 2>/dev/null | head -1)" ] || continue
    echo "run.sh: fuzzing $name for $seconds s"
    fuzz/run_target.sh "$binary" "fuzz/corpus/$name" "build-asan/fuzz/campaign/$name" "$seconds" \
      2>&1 | tee "build-asan/fuzz/campaign/$name.log" | grep -E '^(#[0-9]+.*(DONE|INITED)|==.*ERROR|stat::)' || true
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
      echo "run.sh: fuzz target $name failed; see build-asan/fuzz/campaign/$name.log" >&2
      exit 1
    fi
  done
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
  sanitize)
    install_missing "${PACKAGES[@]}" "${SANITIZE_PACKAGES[@]}"
    sanitize
    ;;
  fuzz)
    install_missing "${PACKAGES[@]}" "${SANITIZE_PACKAGES[@]}"
    fuzz_campaign "$@"
    ;;
  *)
    echo "usage: ./run.sh demo | test | build | bench [benchmark arguments] | models [names] | sanitize | fuzz [seconds]" >&2
    exit 2
    ;;
esac
