#!/bin/sh
# The asynchronous server's throughput (issue 14, acceptance 7): fc_bench_async with 2, 4
# and 8 client ranks (P = 3, 5, 9; oversubscribed on a small machine), each for the iso,
# diag and full payloads, then fc_bench_bandwidth's ping-pong at the same d for the
# transport's bandwidth.  sh benchmarks/async_throughput.sh [D]
# MPIRUN overrides the launcher (e.g. "mpirun --mca btl tcp,self"), BUILD the build folder.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$root/build}
MPIRUN=${MPIRUN:-mpirun}
d=${1:-100}
out=$(mktemp -d "${TMPDIR:-/tmp}/fc-bench-async-XXXXXX")
trap 'rm -rf "$out"' EXIT
for p in 3 5 9; do
    $MPIRUN --oversubscribe -n $p "$BUILD/benchmarks/fc_bench_async" --d "$d" --out "$out"
done
$MPIRUN --oversubscribe -n 2 "$BUILD/benchmarks/fc_bench_bandwidth" --d "$d"
uptime
