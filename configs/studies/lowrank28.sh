#!/bin/sh
# configs/studies/lowrank28.sh — study 5 at the issue's size (README, Studies §5): FPC on
# Fashion-MNIST 28×28 softmax (d = 7 850, 10 clients of two labels, configs/studies/
# lowrank28.ini) with full, diag and lowrank r = 5, 10, 20, 50, one run at a time, one
# process each (P = 1, 1 BLAS thread), under /usr/bin/time for the peak RSS.
#
# θ* is computed once, by a run of `central` (the reference Newton solve, SPEC §3.5); the
# other runs use run.reference = false and their objective gap is taken against central's
# final objective — that solve at d = 7 850 costs several minutes, the same for every run. Full is stopped after FULL_SECONDS of wall time (it holds ten 490 MB
# sites and factors a 7 850 × 7 850 matrix per Newton step): metrics.csv is written row by
# row, so the rounds it finished are kept.
#
#   sh configs/studies/lowrank28.sh [BUILD_DIR [OUT_DIR]]   defaults: build,
#                                                           results/studies/lowrank28
# Environment: ROUNDS (60, every run but full), FULL_SECONDS (2400), RUNS (the runs, names
# as below), PLOTS (configs/studies/plots). A run whose log already holds the peak RSS is
# not run again (delete its folder and log to redo it). Output: OUT_DIR/<run>/ (the run),
# OUT_DIR/<run>.log, OUT_DIR/lowrank28.md (the table), PLOTS/lowrank28_*.png.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=${2:-$root/results/studies/lowrank28}
ROUNDS=${ROUNDS:-60}
FULL_SECONDS=${FULL_SECONDS:-2400}
PLOTS=${PLOTS:-$here/plots}
RUNS=${RUNS:-central lowrank20_a0.5 lowrank50_a0.5 lowrank10_a0.5 lowrank5_a0.5 diag_a0.2 diag_a0.4 lowrank20_a1 full_a1}
export OPENBLAS_NUM_THREADS=1
ini=$here/lowrank28.ini
fedpc=$build/fedpc
[ -x "$fedpc" ] || { echo "lowrank28.sh: $fedpc is missing: build first" >&2; exit 2; }
mkdir -p "$out" "$PLOTS"
ref=central # the run that computes θ*

# The settings of a run from its name: <family>[<rank>]_a<damping>.
settings() {
    fam=${1%%_a*} damp=${1##*_a}
    case $fam in
    central) echo "--set algorithm.name=central" ;;
    lowrank*) echo "--set algorithm.family=lowrank --set algorithm.rank=${fam#lowrank} --set algorithm.damping=$damp" ;;
    full) echo "--set algorithm.family=full --set algorithm.local_solver=newton --set algorithm.damping=$damp" ;;
    *) echo "--set algorithm.family=$fam --set algorithm.damping=$damp" ;;
    esac
}

run_one() { # name
    name=$1
    grep -q 'Maximum resident' "$out/$name.log" 2>/dev/null && return 0
    rm -rf "${out:?}/$name"
    limit="" rounds=$ROUNDS
    case $name in full*) limit="timeout $FULL_SECONDS" rounds=30 ;; esac
    echo "== $name ($(date -u +%H:%M:%S))"
    # shellcheck disable=SC2046,SC2086 # settings() and $limit are lists of words
    /usr/bin/time -v $limit "$fedpc" run "$ini" $(settings "$name") --set run.reference=false \
        --set run.rounds="$rounds" --out "$out/$name" >"$out/$name.log" 2>&1 ||
        echo "$name: stopped ($(tail -n 1 "$out/$name.log"))" >&2
}

for name in $RUNS; do run_one "$name"; done

# summary.json (cJSON's layout): the first "objective" after "final" is F(θ*).
fstar=$(awk '/"final"/ { f = 1 } f && /"objective"/ { gsub(/[",]/, ""); print $2; exit }' \
    "$out/$ref/summary.json" 2>/dev/null || true)
[ -n "$fstar" ] || { echo "lowrank28.sh: no final objective in $out/$ref/summary.json" >&2; exit 1; }

# Per run: round, relative gap (F − F*)/|F*|, correction, cumulative MB, seconds, in .dat.
for name in $RUNS; do
    if [ "$name" = "$ref" ] || [ ! -f "$out/$name/metrics.csv" ]; then continue; fi
    awk -F, -v fs="$fstar" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { g = ($c["objective"] - fs) / (fs < 0 ? -fs : fs)
          printf "%d\t%.6e\t%s\t%.6f\t%s\n", $c["round"], g, $c["correction"], $c["bytes"] / 1e6, $c["seconds"] }' \
        "$out/$name/metrics.csv" >"$out/$name.dat"
done

# The table: rounds to a 1e-6 relative gap, gap and correction at rounds 10 and the last,
# MB per round, MB to the gap, seconds per round (wall, rounds 1..last), peak RSS.
{
    echo "F(θ*) = $fstar (central Newton, run $ref)"
    echo
    echo "| run | rounds done | rounds to a 1e-6 relative gap | gap at round 10 / last | correction at round 10 / last | MB per round | MB to the 1e-6 gap | wall s per round | peak RSS (P = 1), MB |"
    echo "|---|---:|---|---|---|---:|---:|---:|---:|"
    for name in $RUNS; do
        [ -f "$out/$name.dat" ] || continue
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$out/$name.log")
        awk -F'\t' -v name="$name" -v rss="${rss:-0}" '
            { r = $1; g[r] = $2; cr[r] = $3; mb[r] = $4; s[r] = $5; last = r
              if (hit == "" && r > 0 && $2 <= 1e-6) hit = r }
            END { t10 = last >= 10 ? 10 : last
                  printf "| %s | %d | %s | %.2g / %.2g | %.3g / %.3g | %.2f | %s | %.1f | %.0f |\n",
                         name, last, hit == "" ? "> " last : hit, g[t10], g[last], cr[t10], cr[last],
                         last ? mb[last] / last : 0, hit == "" ? "—" : sprintf("%.0f", mb[hit]),
                         last ? (s[last] - s[0]) / last : 0, rss / 1024 }' "$out/$name.dat"
    done
} >"$out/lowrank28.md"
cat "$out/lowrank28.md"

command -v gnuplot >/dev/null 2>&1 || exit 0
plots=""
for name in $RUNS; do
    [ -f "$out/$name.dat" ] || continue
    plots="$plots${plots:+, }\"$out/$name.dat\" using 1:(\$2 > 0 ? \$2 : 1e-16) with linespoints pt 7 ps 0.4 title \"$name\""
done
cplots=$(echo "$plots" | sed 's/using 1:([^)]*)/using 1:3/g')
bplots=$(echo "$plots" | sed 's/using 1:/using 4:/g')
gnuplot <<EOF || echo "gnuplot failed" >&2
set terminal pngcairo size 1500,480 font ",11" noenhanced
set output "$PLOTS/lowrank28_convergence.png"
set multiplot layout 1,3 title "FPC, Fashion-MNIST 28x28 softmax (d = 7850), 10 clients of two labels"
set logscale y
set grid
set key top right font ",9"
set xlabel "round"
set ylabel "(F - F*) / |F*|"
plot $plots
set ylabel "correction"
plot $cplots
set logscale x
set xlabel "cumulative MB (SPEC payload)"
set ylabel "(F - F*) / |F*|"
plot $bplots
unset multiplot
EOF
echo "plots: $PLOTS/lowrank28_convergence.png"
