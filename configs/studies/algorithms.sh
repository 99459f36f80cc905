#!/bin/sh
# Study 4 (README.md, section "Studies"): ADMM, AMA and FPC (full, diag) at their best settings.
#   sh configs/studies/algorithms.sh
# 1. tuning sweeps, each algorithm on its own grid:
#      ADMM      penalty ρ ∈ {3 … 300} × dual damping α ∈ {1, 1.5, 1.9}
#      AMA       ρ ∈ {0.125 … 0.5} (around 2δ/K = 0.25) × α ∈ {0.5, 1, 1.5}, 8000 rounds;
#                run.divergence = 1e4 ends the unstable (oscillating) runs within a few rounds
#      FPC       family ∈ {full, diag} × α ∈ {0.25 … 1.75}
#    the best setting is the one with the fewest rounds to tolerance (per algorithm and
#    family; within one of them bytes per round are fixed, so it also has the fewest bytes);
# 2. one final sweep of the four winners (200 rounds, so the plot stays readable: AMA needs
#    thousands), whose convergence.png compares them;
# 3. a table of rounds and bytes to tolerance, read from the runs that got there
#    (summary.csv; AMA's from its tuning run, which has the same settings).
# FEDPC overrides the binary (e.g. FEDPC="mpirun -n 3 ./build/fedpc"), OUT the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
FEDPC=${FEDPC:-$root/build/fedpc}
OUT=${OUT:-$root/results/studies/algorithms}
ini=$here/algorithms.ini

$FEDPC sweep "$ini" --out "$OUT/tune_admm" --set algorithm.name=admm \
    --vary algorithm.damping=1,1.5,1.9 --vary algorithm.penalty=3,10,20,30,50,100,300
$FEDPC sweep "$ini" --out "$OUT/tune_ama" --set algorithm.name=ama \
    --set run.rounds=8000 --set run.divergence=1e4 \
    --vary algorithm.damping=0.5,1,1.5 --vary algorithm.penalty=0.125,0.18,0.25,0.35,0.5
$FEDPC sweep "$ini" --out "$OUT/tune_fpc" --set algorithm.name=fpc \
    --vary algorithm.family=full,diag --vary algorithm.damping=0.25,0.5,0.75,1,1.25,1.5,1.75

# best "run_dir,key1,key2,rounds_to_tol" of a tuning sweep; $2 = a value of key 1 to keep, or ""
best() {
    awk -F, -v want="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        (want == "" || $1 == want) && $col["rounds_to_tol"] != "" &&
        (best == "" || $col["rounds_to_tol"] + 0 < best + 0) {
            best = $col["rounds_to_tol"]; line = $col["dir"] "," $1 "," $2 "," best }
        END { if (line == "") exit 1; print line }' "$1/sweep.csv" ||
        { echo "$0: no run of $1 reached the tolerance" >&2; exit 1; }
}
admm=$(best "$OUT/tune_admm" "")
ama=$(best "$OUT/tune_ama" "")
full=$(best "$OUT/tune_fpc" full)
diag=$(best "$OUT/tune_fpc" diag)
field() { echo "$1" | cut -d, -f"$2"; }

# admm/ama ignore the family: iso marks their d-sized messages (and AMA = FPC-iso)
winners="admm+iso+$(field "$admm" 2)+$(field "$admm" 3),ama+iso+$(field "$ama" 2)+$(field "$ama" 3)"
winners="$winners,fpc+full+$(field "$full" 3)+1,fpc+diag+$(field "$diag" 3)+1"
$FEDPC sweep "$ini" --out "$OUT/final" --set run.rounds=200 \
    --vary "algorithm.name+algorithm.family+algorithm.damping+algorithm.penalty=$winners"

# rounds and bytes to tolerance of each winner, from its tuning run
{
    echo "algorithm,family,damping,penalty,rounds_to_tol,bytes_to_tol"
    for spec in "admm,iso,tune_admm,$admm" "ama,iso,tune_ama,$ama" \
                "fpc,full,tune_fpc,$full" "fpc,diag,tune_fpc,$diag"; do
        name=$(field "$spec" 1) fam=$(field "$spec" 2) sw=$(field "$spec" 3)
        run=$(field "$spec" 4) k1=$(field "$spec" 5) k2=$(field "$spec" 6) r=$(field "$spec" 7)
        case $name in
        fpc) damping=$k2 penalty=- ;;
        *) damping=$k1 penalty=$k2 ;;
        esac
        bytes=$(awk -F, -v r="$r" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "bytes") c = i }
            NR > 1 && $1 == r { print $c }' "$OUT/$sw/$run/metrics.csv")
        echo "$name,$fam,$damping,$penalty,$r,$bytes"
    done
} > "$OUT/summary.csv"
echo
column -t -s, "$OUT/summary.csv" 2>/dev/null || cat "$OUT/summary.csv"
