#!/bin/sh
# Study 8 (README.md, section "Studies"): how close fpc, pvi and bayes_admm get to the central
# variational posterior q*, covariance included (SPEC §10).
#   sh configs/studies/variational.sh
# 1. a damping sweep of each algorithm (fpc and pvi: α; bayes_admm: α × ρ), 60 rounds,
#    quadrature expectations, KL(q_t ‖ q*) per round in every metrics.csv;
# 2. every run's final KL and the rounds and bytes it needs to KL < 1e-6 (summary.csv); per
#    algorithm the best setting is the one with the fewest rounds to 1e-6;
# 3. gnuplot: KL against round and against bytes for the best settings, and the final KL
#    against α for each algorithm (configs/studies/plots/variational_*.png).
# Plain admm is not in it: it has no covariance, and a point run's reference is θ*, not q*.
# FEDPC overrides the binary (e.g. FEDPC="mpirun -n 3 ./build/fedpc"), OUT the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FEDPC=${FEDPC:-$root/build/fedpc}
OUT=${OUT:-$root/results/studies/variational}
PLOTS=${PLOTS:-$here/plots}
ini=$here/variational.ini

$FEDPC sweep "$ini" --out "$OUT/fpc" --set algorithm.name=fpc \
    --vary algorithm.damping=0.25,0.5,0.75,1,1.25
$FEDPC sweep "$ini" --out "$OUT/pvi" --set algorithm.name=pvi \
    --vary algorithm.damping=0.25,0.5,0.75,1,1.25
$FEDPC sweep "$ini" --out "$OUT/bayes_admm" --set algorithm.name=bayes_admm \
    --vary algorithm.damping=0.5,1,1.5 --vary algorithm.penalty=0.125,0.5,1

# col FILE NAME: the index of column NAME in a csv header
col() { head -n1 "$1" | tr ',' '\n' | grep -n -x "$2" | cut -d: -f1; }

# every run: algorithm, its varied values, final KL, rounds and bytes to KL < 1e-6
{
    echo "algorithm,setting,final_kl,rounds_to_1e-6,bytes_to_1e-6,dir"
    for alg in fpc pvi bayes_admm; do
        tail -n +2 "$OUT/$alg/sweep.csv" | while IFS= read -r line; do
            dir=$(echo "$line" | awk -F, -v c="$(col "$OUT/$alg/sweep.csv" dir)" '{ print $c }')
            set_=$(echo "$line" | cut -d, -f1-$(( $(head -n1 "$OUT/$alg/sweep.csv" | tr ',' '\n' | grep -n -x status | cut -d: -f1) - 1 )) | tr ',' '/')
            m=$OUT/$alg/$dir/metrics.csv
            [ -f "$m" ] || m=$dir/metrics.csv
            kc=$(col "$m" kl_to_opt) bc=$(col "$m" bytes)
            awk -F, -v kc="$kc" -v bc="$bc" -v a="$alg" -v s="$set_" -v d="$dir" '
                NR > 1 && $kc != "" { last = $kc
                    if (r == "" && $kc + 0 < 1e-6) { r = $1; b = $bc } }
                END { printf "%s,%s,%.3g,%s,%s,%s\n", a, s, last, (r == "" ? "-" : r),
                      (b == "" ? "-" : b), d }' "$m"
        done
    done
} > "$OUT/summary.csv"
column -t -s, "$OUT/summary.csv" 2>/dev/null || cat "$OUT/summary.csv"

# best run of each algorithm: the fewest rounds to KL < 1e-6
best() { awk -F, -v a="$1" 'NR > 1 && $1 == a && $4 != "-" && (b == "" || $4 + 0 < b + 0) {
    b = $4; d = $6 } END { print d }' "$OUT/summary.csv"; }
mkdir -p "$PLOTS"
if command -v gnuplot >/dev/null 2>&1; then
    series=""
    for alg in fpc pvi bayes_admm; do
        d=$(best "$alg")
        m=$OUT/$alg/$d/metrics.csv
        [ -f "$m" ] || m=$d/metrics.csv
        kc=$(col "$m" kl_to_opt) bc=$(col "$m" bytes)
        awk -F, -v kc="$kc" -v bc="$bc" 'NR > 1 && $kc + 0 > 0 { print $1, $bc, $kc }' "$m" \
            > "$OUT/best_$alg.dat"
        series="$series $alg"
    done
    for x in round bytes; do
        xc=1; [ "$x" = bytes ] && xc=2
        plot=""
        for alg in $series; do
            plot="$plot${plot:+, }'$OUT/best_$alg.dat' using $xc:3 with linespoints title '$alg'"
        done
        gnuplot <<GP || echo "gnuplot failed" >&2
set terminal pngcairo size 900,560 noenhanced
set output '$PLOTS/variational_kl_$x.png'
set logscale y
set format y '%.0e'
set xlabel '$x'
set ylabel 'KL(q_t || q*)   (0 = below the floor, not drawn)'
set title 'Variational posteriors against q* (best damping of each algorithm)'
set key top right
$( [ "$x" = round ] && echo 'set xrange [0:15]' )
plot $plot
GP
    done
    for alg in fpc pvi; do
        awk -F, -v a="$alg" 'NR > 1 && $1 == a { print $2, ($3 + 0 > 0 ? $3 : 1e-17) }' \
            "$OUT/summary.csv" | sort -g > "$OUT/damping_$alg.dat"
    done
    gnuplot <<GP || echo "gnuplot failed" >&2
set terminal pngcairo size 900,560 noenhanced
set output '$PLOTS/variational_damping.png'
set logscale y
set format y '%.0e'
set xlabel 'damping α'
set ylabel 'KL(q_60 || q*)'
set title 'Final KL to q* after 60 rounds against the damping'
plot '$OUT/damping_fpc.dat' using 1:2 with linespoints title 'fpc', \
     '$OUT/damping_pvi.dat' using 1:2 with linespoints title 'pvi'
GP
fi
