#!/bin/sh
# benchmarks/scaling.sh — how a round's cost grows with d, N (examples per client) and K
# (clients), issue 16. Synthetic logistic data (benchmarks/synth_logistic_d2000_k4.ini with
# data.features, data.n_per_client and partition.clients set), fpc with the full, diag and
# lowrank (rank R_LOWRANK, matrix-free Newton-CG at every d) families, each point varied one
# at a time around a base:
#   d ∈ {50, 200, 500, 2000, 8000} at N = 1000, K = 4   (full stops at 2000: see below)
#   N ∈ {100, 1000, 10000}         at d = 200,  K = 4
#   K ∈ {1, 10, 100, 1000}         at d = 200,  N = 100  (lowrank stops at 100: see below)
# For every point: fc_bench (one process, 1 BLAS thread: CPU seconds per round and per phase,
# payload, peak RSS) and fedpc itself under mpirun -n 2 (oversubscribed) with the PMPI shim
# (wall seconds per round, bytes on the wire, peak RSS per rank). Then the exponents of a
# least-squares fit of log(cost) on log(x) over the three largest x, next to the theory, a
# markdown table and a gnuplot plot. Full at d = 8000 is left out: its Newton matrix, kept
# Hessian, site, cavity and server matrices are 7 × 512 MB, more than this machine's memory
# allows next to the other helpers, and a round would take about 10 minutes. Lowrank at
# K = 1000 is left out: its server's Woodbury capacitance is (K·r)² = 20 000² doubles
# (3.2 GB) with a (K·r)³/3 = 2.7e12-flop Cholesky per solve — at K·r > d the family does
# more work than full, and the point measures nothing the K = 100 point does not show.
# The payload column is what metrics.csv's `bytes` counts per round (each algorithm's and
# family's wire_len: for lowrank SPEC §12's (r + 2)d up and (K·r + 2)d + 1 down per client),
# not the transport's arrays; it is read from the 2-rank run, so no family is named here.
#
#   sh benchmarks/scaling.sh [BUILD_DIR [OUT_DIR]]     defaults: build, /tmp/fc-scaling
# Environment: ROUNDS (2: the mean of rounds 1 and 2 is reported), R_LOWRANK (20),
# FAMILIES (full diag lowrank: the families run; the tables and plot show those run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=${2:-/tmp/fc-scaling}
ROUNDS=${ROUNDS:-2}
R_LOWRANK=${R_LOWRANK:-20}
FAMILIES=${FAMILIES:-full diag lowrank}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
bench=$build/benchmarks/fc_bench
shim=$build/benchmarks/libfc_bench_pmpi.so
fedpc=$build/fedpc
ini=$here/synth_logistic_d2000_k4.ini
for f in "$bench" "$shim" "$fedpc"; do
    [ -e "$f" ] || { echo "scaling.sh: $f is missing: build first (cmake --build $build)" >&2; exit 2; }
done
mkdir -p "$out"
rm -f "$out/bench.tsv" "$out/points.tsv"
printf 'sweep\tfamily\td\tN\tK\tround_cpu_s\thess_s\tchol_s\tnewton_s\tsite_s\tserver_s\tsum_s\tpayload_mb\trss_mb\twall_round_s\twire_mb\trss1_mb\tsteps\tgemm_gfs\n' >"$out/points.tsv"

point() { # sweep family d N K
    sw=$1 fam=$2 d=$3 N=$4 K=$5
    label="$sw.$fam.d$d.N$N.K$K"
    case " $FAMILIES " in *" $fam "*) ;; *) return 0 ;; esac
    damp=1
    [ "$fam" = diag ] && damp=0.5
    set -- --set data.features=$((d - 1)) --set data.n_per_client="$N" --set partition.clients="$K" \
        --set algorithm.family="$fam" --set algorithm.damping=$damp --set run.reference=false
    [ "$fam" = lowrank ] && set -- "$@" --set algorithm.rank="$R_LOWRANK" --set algorithm.local_solver=cg
    echo "== $label"
    "$bench" "$ini" "$@" --rounds "$ROUNDS" --tsv "$out/bench.tsv" --label "$label" \
        >"$out/$label.bench.txt" 2>&1 || { echo "fc_bench failed: $out/$label.bench.txt" >&2; return; }
    rm -rf "$out/$label.run" "$out/$label.pmpi"
    mpirun --oversubscribe -n 2 -x LD_PRELOAD="$shim" -x FC_BENCH_PMPI_OUT="$out/$label.pmpi" \
        "$fedpc" run "$ini" "$@" --set run.rounds="$ROUNDS" --out "$out/$label.run" --quiet \
        >"$out/$label.fedpc.txt" 2>&1 || echo "fedpc failed: $out/$label.fedpc.txt" >&2
    awk -F'\t' -v sw="$sw" -v fam="$fam" -v d="$d" -v N="$N" -v K="$K" -v R="$ROUNDS" \
        -v pm="$out/$label.pmpi" -v csv="$out/$label.run/metrics.csv" '
        BEGIN { while ((getline line < pm) > 0) { split(line, f, "\t"); rss[f[2]] = f[8] / 1024
                                                  wire[f[2]] = f[3] + f[4] }
                t0 = t1 = 0; n = 0
                while ((getline line < csv) > 0) { nf = split(line, f, ","); n++
                    if (n == 1) for (i = 1; i <= nf; i++) if (f[i] == "bytes") bc = i
                    if (n == 2) { t0 = f[2]; b0 = f[bc] }
                    if (n == R + 2) { t1 = f[2]; b1 = f[bc] } } }
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { last = $0 }
        END { split(last, v, "\t")
              printf "%s\t%s\t%d\t%d\t%d\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.4f\t%.1f\t%.4f\t%.4f\t%.1f\t%.2f\t%.2f\n",
                     sw, fam, d, N, K, v[c["compute_s"]], v[c["hess_s"]], v[c["chol_s"]],
                     v[c["newton_s"]], v[c["site_s"]], v[c["server_s"]], v[c["sum_s"]],
                     (b1 - b0) / R / 1048576, v[c["rss_mb"]],
                     (t1 - t0) / R, wire[0] / R / 1048576, rss[1], v[c["steps"]] / K, v[c["gemm_gfs"]] }' \
        "$out/bench.tsv" >>"$out/points.tsv"
}

start=$(date +%s)
for d in 50 200 500 2000; do point d full "$d" 1000 4; done
for d in 50 200 500 2000 8000; do point d diag "$d" 1000 4; done
for d in 50 200 500 2000 8000; do point d lowrank "$d" 1000 4; done
for N in 100 1000 10000; do for fam in full diag lowrank; do point N "$fam" 200 "$N" 4; done; done
for K in 1 10 100 1000; do for fam in full diag; do point K "$fam" 200 100 "$K"; done; done
for K in 1 10 100; do point K lowrank 200 100 "$K"; done
echo "scaling: $(($(date +%s) - start)) s"

# Exponent of y (column) against x (column) over the three largest x of a sweep and family:
# the least-squares slope of log y on log x.
fit() { # sweep family xcol ycol
    awk -F'\t' -v sw="$1" -v fam="$2" -v xc="$3" -v yc="$4" '
        NR > 1 && $1 == sw && $2 == fam && $yc > 0 { n++; x[n] = log($xc); y[n] = log($yc) }
        END { if (n < 2) { print "-"; exit }
              lo = n > 3 ? n - 2 : 1; m = 0; sx = sy = sxx = sxy = 0
              for (i = lo; i <= n; i++) { m++; sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i] }
              printf "%.2f", (m * sxy - sx * sy) / (m * sxx - sx * sx) }' "$out/points.tsv"
}

{
    echo "# Scaling (synthetic logistic, fpc, $ROUNDS rounds from the prior; $(date -u +%Y-%m-%d))"
    echo
    echo "dgemm 1000³, 1 thread, in the same run: $(awk -F'\t' 'NR == 2 { print $19 }' "$out/points.tsv") GFLOP/s"
    echo
    echo "| sweep | family | d | N | K | Newton steps / client / round | CPU s / round | Hessian s | Cholesky s | rest of Newton s | site s | server s | payload MB / round | peak RSS MB (1 process) | wall s / round (2 ranks) | wire MB / round (rank 0) | peak RSS MB (client rank) |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' 'NR > 1 { printf "| %s | %s | %d | %d | %d | %.2f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.2f | %.0f | %.4f | %.2f | %.0f |\n",
                         $1, $2, $3, $4, $5, $18, $6, $7, $8, $9, $10, $11, $13, $14, $15, $16, $17 }' "$out/points.tsv"
    echo
    echo "Fitted exponents (slope of log cost on log x over the three largest x) against theory:"
    echo
    echo "| x | family | CPU / round | Hessian | theory (n·d²) | Cholesky | theory (d³/3) | payload | theory (d² full, d diag) | wall / round, 2 ranks |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for fam in full diag; do
        th_b=2; [ "$fam" = diag ] && th_b=1
        th_c=3; [ "$fam" = diag ] && th_c="— (no factorization at d > 4000)"
        echo "| d | $fam | $(fit d $fam 3 6) | $(fit d $fam 3 7) | 2 | $(fit d $fam 3 8) | $th_c | $(fit d $fam 3 13) | $th_b | $(fit d $fam 3 15) |"
    done
    echo
    echo "| x | family | CPU / round | Hessian | theory | payload | theory | wall / round, 2 ranks |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for fam in full diag; do
        echo "| N | $fam | $(fit N $fam 4 6) | $(fit N $fam 4 7) | 1 | $(fit N $fam 4 13) | 0 | $(fit N $fam 4 15) |"
        echo "| K | $fam | $(fit K $fam 5 6) | $(fit K $fam 5 7) | 1 | $(fit K $fam 5 13) | 1 | $(fit K $fam 5 15) |"
    done
    # lowrank (Newton-CG, no d×d matrix): per client, subspace iteration of at most 12 block
    # products, 4·n·d·(r + 8) flops each (site), and CG on Hessian-vector products, O(n·d)
    # each plus the cavity's O(d·K·r) Woodbury apply (rest of Newton); the server's Woodbury
    # solve forms the K·r × K·r capacitance, O(d·(K·r)²), and factors it, (K·r)³/3. So the
    # theory is d¹ and N¹ for every client phase; against K the clients' work is K¹ (K² once
    # the cavity term dominates), the server K² to K³ and the payload K² ((K·r + 2)d down to
    # each of K clients).
    echo
    echo "lowrank (r = $R_LOWRANK): CPU / round and its phases (local Newton-CG, subspace iteration inside the site, server's Woodbury solve):"
    echo
    echo "| x | CPU / round | theory | Newton-CG | theory | site | theory | server | theory | payload | theory | wall / round, 2 ranks |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    echo "| d | $(fit d lowrank 3 6) | 1 | $(fit d lowrank 3 9) | 1 | $(fit d lowrank 3 10) | 1 | $(fit d lowrank 3 11) | 1 | $(fit d lowrank 3 13) | 1 | $(fit d lowrank 3 15) |"
    echo "| N | $(fit N lowrank 4 6) | 1 | $(fit N lowrank 4 9) | 1 | $(fit N lowrank 4 10) | 1 | $(fit N lowrank 4 11) | 0 | $(fit N lowrank 4 13) | 0 | $(fit N lowrank 4 15) |"
    echo "| K | $(fit K lowrank 5 6) | 1–2 | $(fit K lowrank 5 9) | 1–2 | $(fit K lowrank 5 10) | 1 | $(fit K lowrank 5 11) | 2–3 | $(fit K lowrank 5 13) | 2 | $(fit K lowrank 5 15) |"
} >"$out/scaling.md"

if command -v gnuplot >/dev/null 2>&1; then
    for sw in d N K; do
        for fam in full diag lowrank; do
            awk -F'\t' -v sw="$sw" -v fam="$fam" 'NR > 1 && $1 == sw && $2 == fam' "$out/points.tsv" >"$out/$sw.$fam.dat"
        done
    done
    gnuplot <<EOF || echo "gnuplot failed" >&2
set terminal pngcairo size 1500,480 font ",11"
set output "$out/scaling.png"
set multiplot layout 1,3 title "fpc, synthetic logistic: CPU seconds per round (1 process, 1 BLAS thread)"
set logscale xy
set key top left
set grid
set xlabel "d (N = 1000, K = 4)"
set ylabel "CPU s / round"
plot "$out/d.full.dat" using 3:6 with linespoints title "full", \
     "$out/d.diag.dat" using 3:6 with linespoints title "diag", \
     "$out/d.lowrank.dat" using 3:6 with linespoints title "lowrank r = $R_LOWRANK", \
     "$out/d.full.dat" using 3:7 with linespoints dt 2 title "full: Hessian", \
     "$out/d.full.dat" using 3:8 with linespoints dt 3 title "full: Cholesky"
set xlabel "N per client (d = 200, K = 4)"
plot "$out/N.full.dat" using 4:6 with linespoints title "full", \
     "$out/N.diag.dat" using 4:6 with linespoints title "diag", \
     "$out/N.lowrank.dat" using 4:6 with linespoints title "lowrank r = $R_LOWRANK"
set xlabel "K (d = 200, N = 100)"
plot "$out/K.full.dat" using 5:6 with linespoints title "full", \
     "$out/K.diag.dat" using 5:6 with linespoints title "diag", \
     "$out/K.lowrank.dat" using 5:6 with linespoints title "lowrank r = $R_LOWRANK", \
     "$out/K.full.dat" using 5:15 with linespoints dt 2 title "full: wall, 2 ranks"
unset multiplot
EOF
fi
cat "$out/scaling.md"
