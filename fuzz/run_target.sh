#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a scratch copy of its committed corpus.
#   run_target.sh BINARY CORPUS_DIR WORK_DIR SECONDS [extra libFuzzer flags]
# Fails when the target finds a crash, a leak or a timeout (libFuzzer exits non-zero).
set -euo pipefail
binary=$1 corpus=$2 work=$3 seconds=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -r "$corpus"/. "$work/corpus/"
exec "$binary" "$work/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@"
