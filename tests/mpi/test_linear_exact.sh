# Acceptance (runtime) 2: linear + fpc + full + damping 1 — after round 1 the mean equals
# θ* = (δI + βXᵀX)⁻¹βXᵀy from an independent dense solve, K = 8 clients on P = 3 ranks.
. "$(dirname "$0")/lib.sh"
"$FEDPC" partition "$CFG/linear.ini" --out "$WORK/parts" >/dev/null || fail "partition"
cat "$WORK"/parts/client_*.csv > "$WORK/all.csv"
"$TESTTOOL" linsolve "$WORK/all.csv" 0.5 2.0 1 > "$WORK/star.txt" || fail "linsolve"
run_p 3 "$WORK/run" "$CFG/linear.ini" --set run.rounds=1 || fail "run exited $?"
[ "$(wc -l < "$WORK/run/metrics.csv")" -eq 3 ] || fail "expected rows for rounds 0 and 1"
[ "$(wc -l < "$WORK/star.txt")" -eq 6 ] || fail "expected d = 6"
"$TESTTOOL" csvcmp "$WORK/run/mean.txt" "$WORK/star.txt" 1e-9 || fail "mean after round 1 != θ*"
