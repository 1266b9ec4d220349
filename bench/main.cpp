// The single entry point of build/bench/twain-bench; benchmarks register themselves per file.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
