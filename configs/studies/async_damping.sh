#!/bin/sh
# Study 7 (README.md, section "Studies"): damping against straggler spread for synchronous,
# sequential and asynchronous PVI and FPC (full Gaussians), asynchronous with and without
# staleness_damping = inverse.
#   sh configs/studies/async_damping.sh
# 1. synchronous and sequential: one sweep each over algorithm.damping (lock-step schedules
#    wait for every client, so stragglers change their wall time, not their numbers);
# 2. asynchronous on the one-rank virtual clock: for each of none/inverse, a map of
#    run.client_delay = lognormal:0:σ (x axis, σ = the spread of the log-delays) against
#    algorithm.damping (y axis); stability.png of each sweep is the map;
# 3. summary.csv: per schedule and spread σ, the largest damping that converged within
#    run.rounds, and the rounds to tolerance at α = 1; the four maps are copied to
#    configs/studies/plots/async_damping_{pvi,fpc}_{none,inverse}_map.png.
# FEDPC overrides the binary, OUT the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FEDPC=${FEDPC:-$root/build/fedpc}
OUT=${OUT:-$root/results/studies/async_damping}
ini=$here/async_damping.ini
DAMP=0.25,0.5,0.75,1,1.25,1.5,1.75,1.95
SIGMAS="0 0.5 1 1.5 2 3"

for alg in pvi fpc; do
    for sched in synchronous sequential; do
        $FEDPC sweep "$ini" --out "$OUT/$alg-$sched" --set algorithm.name=$alg \
            --set algorithm.schedule=$sched --vary algorithm.damping=$DAMP
    done
    for mode in none inverse; do
        # zipped with the mode (one value), so that the ':' of the delays is not a range
        delays=""
        for s in $SIGMAS; do delays="$delays${delays:+,}lognormal:0:$s+$mode"; done
        $FEDPC sweep "$ini" --out "$OUT/$alg-async-$mode" --set algorithm.name=$alg \
            --vary "run.client_delay+algorithm.staleness_damping=$delays" \
            --vary algorithm.damping=$DAMP
    done
done

# Per sweep and straggler spread σ: the largest damping that converged, and the rounds to
# tolerance at α = 1 (lock-step schedules: one value for every σ).
spread_table() {
    awk -F, -v alg="$2" -v sw="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { s = "all"; if ($1 ~ /^lognormal:/) { s = $1; sub(/^lognormal:0:/, "", s); sub(/\+.*/, "", s) }
          if (!(s in seen)) { seen[s] = 1; order[++n] = s; best[s] = "-"; one[s] = "-" }
          d = $col["algorithm.damping"]
          if ($col["status"] == "converged" && (best[s] == "-" || d + 0 > best[s] + 0)) best[s] = d
          if (d == 1 && $col["rounds_to_tol"] != "") one[s] = $col["rounds_to_tol"] }
        END { for (i = 1; i <= n; i++) print alg "," sw "," order[i] "," best[order[i]] "," one[order[i]] }
    ' "$1/sweep.csv"
}
{
    echo "algorithm,schedule,sigma,largest_converged_damping,rounds_to_tol_at_1"
    for alg in pvi fpc; do
        for sw in synchronous sequential async-none async-inverse; do
            spread_table "$OUT/$alg-$sw" $alg $sw
        done
    done
} > "$OUT/summary.csv"
echo
column -t -s, "$OUT/summary.csv" 2>/dev/null || cat "$OUT/summary.csv"
# The maps, for the README.
mkdir -p "$here/plots"
for alg in pvi fpc; do
    for mode in none inverse; do
        cp "$OUT/$alg-async-$mode/stability.png" "$here/plots/async_damping_${alg}_${mode}_map.png"
    done
done
