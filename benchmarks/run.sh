#!/bin/sh
# benchmarks/run.sh — the benchmark of the issue "Performance: rounds at the speed of the
# hardware". For every case (benchmarks/*.ini) and algorithm it runs
#   fc_bench       fedpc's own job (server and host over the serial transport), one process,
#                  every client, single-threaded BLAS: each phase's CPU seconds,
#                  flops and GFLOP/s next to the dgemm rate measured in the same run;
#   fc_bench_comm  the transport at the case's sizes under mpirun -n 2;
#   fedpc          itself under mpirun -n 2 with the PMPI shim: seconds per round, payload
#                  bytes as counted (metrics.csv) and on the wire, peak RSS per rank;
# then the K = 1, 10, 100 scaling at fixed total data, and prints markdown tables (also in
# OUT_DIR/report.md, with every raw output beside it).
#
#   sh benchmarks/run.sh [BUILD_DIR [OUT_DIR]]         defaults: build, /tmp/fc-bench
# Environment: ROUNDS (2), CASES, ALGOS (subsets of the lists below), SCALING=0 to skip the
# K scaling, PERF=0 to skip the perf profile. The whole run takes about 10 minutes on 2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=${2:-/tmp/fc-bench}
ROUNDS=${ROUNDS:-2}
CASES=${CASES:-"fmnist7_softmax_k10 fmnist7_softmax_k100 fmnist28_logistic_2class synth_logistic_d2000_k4"}
ALGOS=${ALGOS:-"fpc-full fpc-diag fpc-iso pvi admm"}
SCALING=${SCALING:-1}
PERF=${PERF:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
bench=$build/benchmarks/fc_bench
comm=$build/benchmarks/fc_bench_comm
shim=$build/benchmarks/libfc_bench_pmpi.so
fedpc=$build/fedpc
for f in "$bench" "$comm" "$shim" "$fedpc"; do
    [ -e "$f" ] || { echo "run.sh: $f is missing: build first (cmake --build $build)" >&2; exit 2; }
done
mkdir -p "$out"
rm -f "$out"/bench.tsv "$out"/comm.tsv "$out"/fedpc.tsv "$out"/scale.tsv "$out"/scale_fedpc.tsv

# The --set options of an algorithm (diag takes damping 0.5, as in configs/: α = 1 can make a
# diagonal cavity indefinite).
algo_sets() {
    case $1 in
    fpc-full) echo "--set algorithm.name=fpc --set algorithm.family=full --set algorithm.damping=1" ;;
    fpc-diag) echo "--set algorithm.name=fpc --set algorithm.family=diag --set algorithm.damping=0.5" ;;
    fpc-iso) echo "--set algorithm.name=fpc --set algorithm.family=iso --set algorithm.damping=1" ;;
    pvi) echo "--set algorithm.name=pvi --set algorithm.family=full --set algorithm.damping=1" ;;
    admm) echo "--set algorithm.name=admm --set algorithm.damping=1" ;;
    *) echo "run.sh: unknown algorithm $1" >&2; exit 2 ;;
    esac
}

# Column NAME of the last row of a TSV with a header.
col() {
    awk -F'\t' -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                             { v = $c } END { print v }' "$1"
}

# fedpc under mpirun -n 2 with the PMPI shim; appends one row to $4.
# usage: run_fedpc LABEL CONFIG ROUNDS TSV [--set ...]
run_fedpc() {
    label=$1 config=$2 rounds=$3 tsv=$4
    shift 4
    dir=$out/$label.run
    rm -rf "$dir" "$out/$label.pmpi"
    status=0
    mpirun -n 2 -x LD_PRELOAD="$shim" -x FC_BENCH_PMPI_OUT="$out/$label.pmpi" \
        "$fedpc" run "$config" "$@" --set run.rounds="$rounds" --out "$dir" --quiet \
        >"$out/$label.fedpc.txt" 2>&1 || status=$?
    [ -s "$tsv" ] || printf 'label\tstatus\trounds\twall_round_s\tcounted_mb\twire_mb\trss0_mb\trss1_mb\tcpu0_s\tcpu1_s\n' >"$tsv"
    awk -F'\t' -v label="$label" -v status="$status" -v pm="$out/$label.pmpi" '
        BEGIN { while ((getline line < pm) > 0) { split(line, f, "\t");
                    rss[f[2]] = f[8] / 1024; cpu[f[2]] = f[9]; wire[f[2]] = f[3] + f[4] } }
        NR == 2 { t0 = $2 }
        NR > 2 { r = $1; t = $2; b = $9 }
        END { if (r == "") { r = 0 }
              printf "%s\t%s\t%d\t%.4f\t%.6f\t%.6f\t%.1f\t%.1f\t%.2f\t%.2f\n", label, status, r,
                     r ? (t - t0) / r : 0, r ? b / r / 1048576 : 0, r ? wire[0] / r / 1048576 : 0,
                     rss[0], rss[1], cpu[0], cpu[1] }' FS=, "$dir/metrics.csv" >>"$tsv" 2>/dev/null ||
        printf '%s\t%s\t0\t0\t0\t0\t0\t0\t0\t0\n' "$label" "$status" >>"$tsv"
}

start=$(date +%s)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"

for case in $CASES; do
    for alg in $ALGOS; do
        sets=$(algo_sets "$alg")
        extra=""
        [ "$alg" = fpc-full ] && extra="--paired 5 --probe"
        echo "== $case $alg"
        # shellcheck disable=SC2086
        "$bench" "$here/$case.ini" $sets --rounds "$ROUNDS" --tsv "$out/bench.tsv" \
            --label "$case" $extra >"$out/$case.$alg.bench.txt" 2>&1 ||
            { echo "fc_bench failed, see $out/$case.$alg.bench.txt" >&2; exit 1; }
        grep -E '^round|^paired' "$out/$case.$alg.bench.txt" | sed 's/^/   /'
        sl=$(col "$out/bench.tsv" state)
        dl=$(col "$out/bench.tsv" delta)
        d=$(col "$out/bench.tsv" d)
        mpirun -n 2 "$comm" --state "$sl" --delta "$dl" --eval "$d" --reps 20 \
            >"$out/$case.$alg.comm.txt" 2>&1
        [ -s "$out/comm.tsv" ] || printf 'comm_update_s\tcomm_eval_s\tbaseline_mb\n' >"$out/comm.tsv"
        grep '^COMM' "$out/$case.$alg.comm.txt" | cut -f2- >>"$out/comm.tsv"
        # shellcheck disable=SC2086
        run_fedpc "$case.$alg" "$here/$case.ini" "$ROUNDS" "$out/fedpc.tsv" $sets
    done
done

if [ "$SCALING" = 1 ]; then
    sets=$(algo_sets fpc-full)
    for K in 1 10 100; do
        echo "== scaling K = $K (round 1 from the prior)"
        # shellcheck disable=SC2086
        "$bench" "$here/fmnist7_softmax_k10.ini" $sets --set partition.clients=$K --rounds 1 \
            --tsv "$out/scale.tsv" --label "K=$K" >"$out/scale.K$K.bench.txt" 2>&1
        grep -E '^round' "$out/scale.K$K.bench.txt" | sed 's/^/   /'
        # shellcheck disable=SC2086
        run_fedpc "scale.K$K" "$here/fmnist7_softmax_k10.ini" 1 "$out/scale_fedpc.tsv" $sets \
            --set partition.clients=$K
    done
fi

# Where the CPU time of a round goes, by function (perf, software clock: no PMU needed).
if [ "$PERF" = 1 ] && command -v perf >/dev/null 2>&1; then
    for case in fmnist7_softmax_k10 fmnist7_softmax_k100; do
        echo "== perf $case fpc-full"
        # shellcheck disable=SC2046
        perf record -q -e cpu-clock -F 499 -o "$out/perf.$case.data" "$bench" "$here/$case.ini" \
            $(algo_sets fpc-full) --rounds "$ROUNDS" >/dev/null 2>&1 || true
        perf report -i "$out/perf.$case.data" --stdio --sort dso,symbol 2>/dev/null |
            grep -v '^#' | grep -v '^$' | head -12 >"$out/perf.$case.txt" || true
    done
fi

# ---- tables --------------------------------------------------------------------------------
{
echo "# fedpc benchmark ($(date -u +%Y-%m-%d), ROUNDS=$ROUNDS)"
echo
cat "$out/machine.txt"
echo
echo "## Time per round (fc_bench: one process, every client, 1 BLAS thread, CPU seconds, mean of $ROUNDS rounds)"
echo
echo "GFLOP/s with their share of the dgemm rate measured in the same run, twice: *classic*"
echo "counts the Hessian as n·d(d+1) (any d×d product form; comparable with earlier runs, above"
echo "100 % for a cheaper algorithm), *own* as the code computes it (softmax Gram form:"
echo "n·p(p+1)·C(C+1)/2; logistic: the same as classic). comm is fc_bench_comm's median for the"
echo "update exchange on 2 ranks; round = every phase but metrics."
echo
echo "| case | algorithm | d | K | Newton steps/round | Hessian formation s | Hessian GF/s classic (%dgemm) | Hessian GF/s own (%dgemm) | factorizations s (count) | Newton rest s | site rest s | sum s | server s | comm s | metrics s | round s | round GF/s classic (%dgemm) | round GF/s own (%dgemm) | dgemm GF/s |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
paste "$out/bench.tsv" "$out/comm.tsv" | awk -F'\t' '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { alg = $c["alg"] ($c["family"] != "-" ? "-" $c["family"] : "")
      g = $c["gemm_gfs"]; hg = $c["hess_gfs"]; ho = $c["hess_own_gfs"]
      rs = $c["compute_s"] + $c["comm_update_s"]; rg = $c["round_gflop"] / rs
      ro = $c["round_own_gfs"] * $c["compute_s"] / rs
      printf "| %s | %s | %d | %d | %.1f | %.3f | %.1f (%.0f%%) | %.1f (%.0f%%) | %.3f (%.0f) | %.3f | %.3f | %.4f | %.4f | %.5f | %.3f | %.3f | %.1f (%.0f%%) | %.1f (%.0f%%) | %.1f |\n",
        $c["case"], alg, $c["d"], $c["K"], $c["steps"], $c["hess_s"], hg, 100 * hg / g, ho, 100 * ho / g,
        $c["chol_s"], $c["chol_n"], $c["newton_s"], $c["site_s"], $c["sum_s"], $c["server_s"],
        $c["comm_update_s"], $c["metrics_s"], rs, rg, 100 * rg / g, ro, 100 * ro / g, g }'
echo
echo "## fedpc on 2 ranks (rank 0 server, rank 1 every client): communication and memory"
echo
echo "Payload: counted = metrics.csv bytes per round; needed = K x (d^2+d) each way for full,"
echo "2d for diag, d for iso/admm; wire = bytes rank 0 really sent and received per round (PMPI,"
echo "incl. the metrics exchange). Memory minimum: rank 1 = data (n(p+1) doubles) + what the"
echo "algorithm needs per client + w d x d work matrices (4 for full, 1 for a dense Newton solver)"
echo "+ the MPI baseline; rank 0 = test set + 4 d x d (full) + baseline. Seconds are wall time on"
echo "a shared machine (see the load average above)."
echo
echo "| case | algorithm | status | s/round (wall) | rank 1 CPU s (all) | counted MiB/round | needed MiB | counted/needed | wire MiB/round | RSS rank 0 MiB (min) | RSS rank 1 MiB (min) | rank 1 / min |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
paste "$out/bench.tsv" "$out/comm.tsv" "$out/fedpc.tsv" | awk -F'\t' '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { d = $c["d"]; K = $c["K"]; fam = $c["family"]; alg = $c["alg"]
      each = $c["delta"] # doubles one client sends (and, as its state, receives)
      need = 2 * K * each * 8 / 1048576
      st = $c["status"] == 0 ? "ok" : $c["status"] == 3 ? "diverged" : "exit " $c["status"]
      base = $c["baseline_mb"]
      min1 = $c["data_mb"] + $c["sites_mb"] + $c["work_dd"] * $c["dd_mb"] + base
      min0 = $c["test_mb"] + ($c["work_dd"] >= 4 ? 4 * $c["dd_mb"] : 0) + base
      name = alg (fam != "-" ? "-" fam : ""); ratio = (need > 0) ? $c["counted_mb"] / need : 0
      printf "| %s | %s | %s | %.3f | %.2f | %.3f | %.3f | %.3f | %.3f | %.0f (%.0f) | %.0f (%.0f) | %.2f |\n",
        $c["case"], name, st, $c["wall_round_s"], $c["cpu1_s"], $c["counted_mb"], need, ratio, $c["wire_mb"],
        $c["rss0_mb"], min0, $c["rss1_mb"], min1, $c["rss1_mb"] / min1 }'
if [ "$SCALING" = 1 ]; then
    echo
    echo "## Scaling: softmax Fashion-MNIST 7x7, fpc full, 60 000 examples, round 1 from the prior"
    echo
    echo "passes = examples through a Hessian formation / n (how many times the round forms a"
    echo "Hessian of all the data); the criterion holds when the time that is not factorisation,"
    echo "per pass, stays flat (vs K=1 near 1): then any growth is the per-client factorisations."
    echo
    echo "| K | Newton steps/client | passes | Hessian s | factorizations s (count) | round s (CPU) | (round - fact.)/pass s | vs K=1 | fedpc 2 ranks s (wall) | rank 1 CPU s |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    paste "$out/scale.tsv" "$out/scale_fedpc.tsv" | awk -F'\t' '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { K = $c["K"]; passes = $c["hess_n_ex"] / $c["n"]; u = ($c["compute_s"] - $c["chol_s"]) / passes
          if (u1 == "") u1 = u
          printf "| %d | %.2f | %.2f | %.3f | %.3f (%.0f) | %.3f | %.4f | %.2f | %.3f | %.2f |\n",
            K, $c["steps"] / K, passes, $c["hess_s"], $c["chol_s"], $c["chol_n"], $c["compute_s"],
            u, u / u1, $c["wall_round_s"], $c["cpu1_s"] }'
fi
if [ "$PERF" = 1 ]; then
    for case in fmnist7_softmax_k10 fmnist7_softmax_k100; do
        [ -s "$out/perf.$case.txt" ] || continue
        echo
        echo "## perf: top functions, $case fpc-full (fc_bench, $ROUNDS rounds incl. loading)"
        echo
        echo '```'
        sed 's/ *- *- *$//' "$out/perf.$case.txt"
        echo '```'
    done
fi
echo
echo "## Acceptance"
echo
paste "$out/bench.tsv" "$out/comm.tsv" "$out/fedpc.tsv" | awk -F'\t' -v acc_case=fmnist7_softmax_k10 -v acc_run=fpc-full '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { d = $c["d"]; K = $c["K"]; fam = $c["family"]
      each = $c["delta"] # doubles one client sends (and, as its state, receives)
      need = 2 * K * each * 8 / 1048576
      if (need > 0) { dev = $c["counted_mb"] / need - 1; dev = dev < 0 ? -dev : dev
                      if (dev > maxdev) maxdev = dev; runs++ }
      if ($c["case"] == acc_case && $c["alg"] "-" fam == acc_run) {
          hp = 100 * $c["paired_hess_gfs"] / $c["paired_gemm_gfs"]
          ho = 100 * $c["paired_hess_own_gfs"] / $c["paired_gemm_gfs"]
          rs = $c["compute_s"] + $c["comm_update_s"]
          rp = 100 * $c["round_gflop"] / rs / $c["gemm_gfs"]
          ro = 100 * $c["round_own_gfs"] * $c["compute_s"] / rs / $c["gemm_gfs"] }
      if ($c["work_dd"] >= 4) { # the families with d x d sites
          min1 = $c["data_mb"] + $c["sites_mb"] + 4 * $c["dd_mb"] + $c["baseline_mb"]
          r = $c["rss1_mb"] / min1
          mem = mem sprintf("%s %s-full %.2f; ", $c["case"], $c["alg"], r)
          if (r > 1.5) memfail++ } }
    END {
      if (hp != "")
        printf "1. softmax FMNIST 7x7 fpc full: Hessian formation %.0f%% of dgemm on the classic n·d(d+1) count, %.0f%% on the Gram form'"'"'s own flops (paired best of 5; needs 70%%): %s; whole round %.0f%% classic, %.0f%% own (needs 50%%): %s\n",
          hp, ho, (hp >= 70 && ho >= 70) ? "PASS on both counts" : (hp >= 70) ? "PASS on the classic count only" : "FAIL",
          rp, ro, (rp >= 50 && ro >= 50) ? "PASS on both counts" : (rp >= 50) ? "PASS on the classic count only" : "FAIL"
      printf "2. payload counted vs needed: largest deviation %.2f%% over %d runs (needs <= 10%%): %s\n",
        100 * maxdev, runs, (maxdev <= 0.1) ? "PASS" : "FAIL"
      if (mem == "") print "3. no full-family run"
      else printf "3. peak RSS of the client rank / (data + sites + 4 d x d + MPI baseline), full: %s%s\n",
        mem, memfail ? "FAIL (needs <= 1.5)" : "PASS" }'
if [ "$SCALING" = 1 ]; then
    paste "$out/scale.tsv" "$out/scale_fedpc.tsv" | awk -F'\t' '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { K = $c["K"]; u = ($c["compute_s"] - $c["chol_s"]) / ($c["hess_n_ex"] / $c["n"])
          if (u1 == "") { u1 = u; f1 = $c["chol_s"]; t1 = $c["wall_round_s"]; q1 = $c["cpu1_s"] }
          if (u / u1 > worst) worst = u / u1
          fk = $c["chol_s"]; tk = $c["wall_round_s"]; qk = $c["cpu1_s"] }
        END { printf "4. K = 1 -> 100: time per pass over the data without factorisations at most %.2f x K = 1 (needs <= 1.10): %s; ",
                worst, (worst <= 1.1) ? "PASS" : "FAIL"
              printf "fedpc on 2 ranks: round 1 %+.2f s wall, rank 1 CPU %+.2f s, against %+.2f s of added factorisations: %s\n",
                tk - t1, qk - q1, fk - f1, (qk - q1 <= 1.1 * (fk - f1)) ? "PASS" : "FAIL" }'
fi
echo
echo "Raw outputs: $out (fc_bench tables, probes, fedpc runs, PMPI lines). Total $(($(date +%s) - start)) s."
} | tee "$out/report.md"
