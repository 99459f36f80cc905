#!/bin/sh
# benchmarks/numpy_compare.sh — issue 16's benchmark: fedpc against a plain NumPy reference of
# FPC (benchmarks/ref_fpc_numpy.py) on the same data in the same run, and Newton steps and
# flops before/after the warm-started local solver.
#
#   sh benchmarks/numpy_compare.sh [BUILD_DIR [OUT_DIR]]       defaults: build, /tmp/fc-numpy
# Environment: BEFORE=DIR, a build of the commit to compare with (its fc_bench), optional;
# ROUNDS (5) for the other cases of the before/after table; NUMPY=0 skips the NumPy run.
# Case of the comparison: benchmarks/fmnist7_softmax_k5_n400.ini (softmax, Fashion-MNIST 7×7,
# d = 500, 5 clients × 400, fpc full, damping 0.5, 30 rounds), 1 rank, 1 BLAS thread.
# Times are CPU seconds (user + system) of the whole process, and wall seconds beside them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=${2:-/tmp/fc-numpy}
ROUNDS=${ROUNDS:-5}
NUMPY=${NUMPY:-1}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
py=/usr/bin/python3
case_ini=$here/fmnist7_softmax_k5_n400.ini
mkdir -p "$out"

# The NumPy reference needs Debian's python3-numpy (OpenBLAS underneath, as fedpc's).
if [ "$NUMPY" = 1 ] && ! "$py" -c 'import numpy' 2>/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-numpy >/dev/null
fi

# CPU and wall seconds of a command: "cpu wall" into $out/$1.time, its output into $out/$1.out.
timed() {
    name=$1
    shift
    /usr/bin/time -f '%U %S %e' -o "$out/$name.rawtime" "$@" >"$out/$name.out" 2>"$out/$name.err"
    awk '{ printf "%.2f %.2f\n", $1 + $2, $3 }' "$out/$name.rawtime" >"$out/$name.time"
}

# fc_bench's numbers of one run: Newton steps per client per round, GFLOP per round (classic
# count, without metrics), dgemm GFLOP/s.
bench_numbers() {
    awk '/Newton steps per round/ { gsub(/[()]/, ""); steps = $6 }
         /\*\*Round\*\*/ { n = split($0, f, "|"); gf = f[6] + 0 }
         /dgemm 1000\^3/ { for (i = 1; i <= NF; i++) if ($i == "GFLOP/s") rate = $(i - 1) }
         END { printf "%s %s %s\n", steps, gf, rate }' "$1"
}

algo_sets() {
    case $1 in
    fpc-full) echo "--set algorithm.name=fpc --set algorithm.family=full" ;;
    fpc-diag) echo "--set algorithm.name=fpc --set algorithm.family=diag --set algorithm.damping=0.5" ;;
    fpc-iso) echo "--set algorithm.name=fpc --set algorithm.family=iso --set algorithm.damping=1 --set algorithm.penalty=0.1" ;;
    pvi) echo "--set algorithm.name=pvi --set algorithm.family=full" ;;
    admm) echo "--set algorithm.name=admm --set algorithm.damping=1 --set algorithm.penalty=0.1" ;;
    esac
}

# ---- before/after: Newton steps and flops ----------------------------------------------------
table=$out/steps.md
{
    echo "| case | algorithm | rounds | Newton steps / client / round, before | after | GFLOP / run, before | after | change |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
} >"$table"
row() { # case algo rounds sets...
    c=$1 a=$2 r=$3
    shift 3
    # shellcheck disable=SC2086
    "$build/benchmarks/fc_bench" "$here/$c.ini" "$@" --rounds "$r" >"$out/$c.$a.after.txt" 2>&1
    set -- $(bench_numbers "$out/$c.$a.after.txt") "$@"
    sa=$1 ga=$2 rate=$3
    shift 3
    sb=- gb=-
    if [ -n "${BEFORE:-}" ]; then
        # shellcheck disable=SC2086
        "$BEFORE/benchmarks/fc_bench" "$here/$c.ini" "$@" --rounds "$r" >"$out/$c.$a.before.txt" 2>&1
        set -- $(bench_numbers "$out/$c.$a.before.txt")
        sb=$1 gb=$2
    fi
    awk -v c="$c" -v a="$a" -v r="$r" -v sb="$sb" -v sa="$sa" -v gb="$gb" -v ga="$ga" 'BEGIN {
        ch = (gb != "-" && gb > 0) ? sprintf("%+.0f %%", 100 * (ga - gb) / gb) : "-"
        printf "| %s | %s | %d | %s | %s | %s | %.1f | %s |\n", c, a, r, sb,
               sa, gb == "-" ? "-" : sprintf("%.1f", gb * r), ga * r, ch }' >>"$table"
    echo "$rate" >"$out/dgemm.txt"
}
for a in fpc-full fpc-diag fpc-iso pvi admm; do
    # shellcheck disable=SC2046
    row fmnist7_softmax_k5_n400 "$a" 30 $(algo_sets "$a")
done
# shellcheck disable=SC2046
row fmnist7_softmax_k10 fpc-full "$ROUNDS" $(algo_sets fpc-full)
# shellcheck disable=SC2046
row fmnist28_logistic_2class fpc-full "$ROUNDS" $(algo_sets fpc-full)

# ---- fedpc against NumPy, same data, same run --------------------------------------------------
if [ "$NUMPY" = 1 ]; then
    rm -rf "$out/part" "$out/fedpc.run"
    "$build/fedpc" partition "$case_ini" --out "$out/part" >/dev/null
    timed fedpc "$build/fedpc" run "$out/part/partition.ini" --out "$out/fedpc.run" --quiet
    timed numpy "$py" "$here/ref_fpc_numpy.py" "$out/part" 5 30 0.5 1.0
    # Objective per round: metrics.csv's against NumPy's, the largest relative difference.
    diff_obj=$(awk -F, 'NR == FNR { if (FNR > 1) want[$1] = $3; next }
        $1 in want { d = $2 - want[$1]; d = d < 0 ? -d : d; r = d / (want[$1] < 0 ? -want[$1] : want[$1])
                     if (r > m) m = r; n++ }
        END { printf "%.1e over %d rounds\n", m, n }' "$out/fedpc.run/metrics.csv" FS=' ' "$out/numpy.out")
    read -r fc fw <"$out/fedpc.time"
    read -r nc nw <"$out/numpy.time"
    {
        echo
        echo "| fmnist7_softmax_k5_n400, fpc full, 30 rounds, 1 rank, 1 BLAS thread | CPU s | wall s |"
        echo "|---|---:|---:|"
        echo "| fedpc (whole process) | $fc | $fw |"
        echo "| NumPy reference (whole process) | $nc | $nw |"
        awk -v a="$fc" -v b="$nc" -v c="$fw" -v d="$nw" 'BEGIN { printf "| fedpc / NumPy | %.3f | %.3f |\n", a / b, c / d }'
        echo
        echo "objective per round, fedpc against NumPy: largest relative difference $diff_obj"
    } >>"$table"
fi
echo >>"$table"
echo "dgemm 1000³, 1 thread, measured by fc_bench in the same run: $(cat "$out/dgemm.txt") GFLOP/s" >>"$table"
cat "$table"
