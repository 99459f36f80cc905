#!/bin/sh
# Study 6 (README.md, "Studies" §6): neural networks — fpc-diag, fpc-full, pvi, admm, fedavg,
# fedprox and central on the same clients (configs/studies/mlp_families.ini), one command:
#   sh configs/studies/mlp_families.sh
# 1. one sweep whose cells zip each method's own settings (name, family, damping, penalty,
#    rounds); each method's setting is the best of a small tuning grid (README);
# 2. test accuracy against round and against cumulative bytes, one curve per method
#    (gnuplot): PLOTS/mlp_families_accuracy.png and PLOTS/mlp_families_accuracy_bytes.png,
#    and the sweep's own convergence plots copied beside them;
# 3. the table of the README: the highest test accuracy every method reaches (each method's
#    best accuracy, the smallest of them, rounded down to a whole percent), the rounds and
#    bytes each method needs to first reach it, and each method's final accuracy, written to
#    OUT/table.md and printed.
# FEDPC overrides the binary (e.g. FEDPC="mpirun -n 3 ./build/fedpc"), OUT the results folder,
# PLOTS the folder of the PNGs (default configs/studies/plots), CELLS the methods.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FEDPC=${FEDPC:-$root/build/fedpc}
OUT=${OUT:-$root/results/studies/mlp_families}
PLOTS=${PLOTS:-$here/plots}
ini=$here/mlp_families.ini
# name+family+damping+penalty+rounds of each method (admm/fedavg/fedprox/central: no family;
# iso marks their d-sized messages)
CELLS=${CELLS:-fpc+diag+0.1+1+40,fpc+full+0.1+1+20,pvi+diag+0.1+1+40,admm+iso+1+10+40,fedavg+iso+1+1+40,fedprox+iso+1+10+40,central+iso+1+1+15}

$FEDPC sweep "$ini" --out "$OUT" \
    --vary "algorithm.name+algorithm.family+algorithm.damping+algorithm.penalty+run.rounds=$CELLS"

# "label dir" per method, from sweep.csv (first column: the zipped values).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { split($1, v, "+"); lab = v[1];
      if (v[1] == "fpc" || v[1] == "pvi") lab = v[1] "-" v[2];
      print lab, $col["dir"] }' "$OUT/sweep.csv" > "$OUT/methods.txt"

# Accuracy is column 8 of metrics.csv, bytes column 9, round column 1.
{
    echo "set terminal pngcairo size 1000,650 font ',11'"
    echo "set datafile separator ','"
    echo "set key bottom right"
    echo "set grid"
    echo "set ylabel 'test accuracy'"
    echo "set yrange [0:1]"
    echo "set output '$PLOTS/mlp_families_accuracy.png'"
    echo "set xlabel 'round'"
    echo "set title 'Fashion-MNIST 7x7, mlp, 10 clients of two labels: test accuracy against round'"
    printf "plot "
    sep=""
    while read -r lab dir; do
        printf "%s'%s' every ::1 using 1:8 with linespoints pt 7 ps 0.5 title '%s'" "$sep" \
            "$OUT/$dir/metrics.csv" "$lab"
        sep=", "
    done < "$OUT/methods.txt"
    echo
    echo "set output '$PLOTS/mlp_families_accuracy_bytes.png'"
    echo "set xlabel 'cumulative bytes (server <-> clients)'"
    echo "set logscale x"
    echo "set format x '10^{%T}'"
    echo "set title 'Fashion-MNIST 7x7, mlp, 10 clients of two labels: test accuracy against bytes'"
    printf "plot "
    sep=""
    while read -r lab dir; do
        printf "%s'%s' every ::2 using 9:8 with linespoints pt 7 ps 0.5 title '%s'" "$sep" \
            "$OUT/$dir/metrics.csv" "$lab"
        sep=", "
    done < "$OUT/methods.txt"
    echo
} > "$OUT/accuracy.gp"
mkdir -p "$PLOTS"
gnuplot "$OUT/accuracy.gp"
for f in convergence convergence_bytes; do
    [ -f "$OUT/$f.png" ] && cp "$OUT/$f.png" "$PLOTS/mlp_families_$f.png"
done

# The table: a threshold every method reaches, rounds and bytes to it, final accuracy.
best_acc() { awk -F, 'NR > 1 && $8 != "" && $8 + 0 > b { b = $8 + 0 } END { print b + 0 }' "$1"; }
thr=1
while read -r lab dir; do
    thr=$(awk -v a="$(best_acc "$OUT/$dir/metrics.csv")" -v t="$thr" 'BEGIN { print (a < t ? a : t) }')
done < "$OUT/methods.txt"
thr=$(awk -v t="$thr" 'BEGIN { printf "%.2f", int(t * 100 + 1e-9) / 100 }')
{
    echo "| method | rounds to ${thr} test accuracy | bytes to ${thr} | best accuracy | final accuracy (round) |"
    echo "|---|---|---|---|---|"
    while read -r lab dir; do
        awk -F, -v t="$thr" -v lab="$lab" -v best="$(best_acc "$OUT/$dir/metrics.csv")" '
            NR > 1 && $8 != "" { last = $8; lr = $1
                if (r == "" && $8 + 0 >= t) { r = $1; b = $9 } }
            END { size = "—"
                  if (b != "") size = b >= 1e6 ? sprintf("%.1f MB", b / 1e6) : sprintf("%.0f kB", b / 1e3)
                  printf "| %s | %s | %s | %.4f | %.4f (%d) |\n", lab, r, size, best, last, lr }' \
            "$OUT/$dir/metrics.csv"
    done < "$OUT/methods.txt"
} > "$OUT/table.md"
echo
cat "$OUT/table.md"
