#!/bin/sh
# The measured verdict reaches the outputs as numbers: summary.json's "stability" object
# (verdict, rate, period, amplitude, projected_rounds, radius) and sweep.csv's columns; for
# AMA near θ* the gap's measured rate is close to the square of the linearised radius
# (the gap is quadratic in the error). Also: a large reference announces itself.
. "$FC_SRC/tests/mpi/lib.sh"
# check_rate ROUNDS POWER TOL: run AMA for ROUNDS rounds; its measured rate is radius^POWER.
check_rate() {
  out="$WORK/ama$1"
  run_p 2 "$out" "$CFG/logistic.ini" --set algorithm.name=ama --set algorithm.penalty=0.2 \
    --set run.rounds="$1" --set run.tol=1e-14 || { cat "$out.log" >&2; fail "ama run"; }
  sum="$out/summary.json"
  grep -q '"verdict":[[:space:]]*"converging"' "$sum" || { cat "$sum" >&2; fail "verdict"; }
  rate=$(sed -n 's/.*"rate":[[:space:]]*\([0-9.e+-]*\),*$/\1/p' "$sum" | tail -n1)
  radius=$(sed -n 's/.*"radius":[[:space:]]*\([0-9.e+-]*\),*$/\1/p' "$sum" | tail -n1)
  [ -n "$rate" ] && [ -n "$radius" ] || { cat "$sum" >&2; fail "rate or radius is not a JSON number"; }
  grep -q '"projected_rounds":[[:space:]]*[0-9]' "$sum" || fail "projected_rounds is not a number"
  awk -v r="$rate" -v q="$radius" -v p="$2" -v t="$3" \
    'BEGIN { d = r - q ^ p; if (d < 0) d = -d; exit !(d < t) }' ||
    fail "$1 rounds: measured rate $rate is not radius^$2 (radius $radius)"
  echo "ok ama $1 rounds: converging, rate $rate, radius $radius: rate = radius^$2 within $3"
}
# 800 rounds: the gap is watched, quadratic in the error: rate ≈ radius².
check_rate 800 2 2e-3
# 1500 rounds: the gap has reached the floating-point floor, the verdict follows ‖∇F‖,
# linear in the error: rate ≈ radius.
check_rate 1500 1 1e-4
grep -q '"reason":[[:space:]]*"gap at the floating-point floor"' "$WORK/ama1500/summary.json" ||
  fail "1500 rounds: the verdict does not say it follows the gradient"

"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/logistic.ini" --out "$WORK/sw" \
  --set run.rounds=200 --vary algorithm.name+algorithm.penalty=fpc+1,ama+0.2 \
  </dev/null >"$WORK/sw.log" 2>&1 || { cat "$WORK/sw.log" >&2; fail "sweep"; }
head -n1 "$WORK/sw/sweep.csv" | grep -q ',status,verdict,rate,period,amplitude,projected_rounds,radius,' ||
  fail "sweep.csv header: $(head -n1 "$WORK/sw/sweep.csv")"
grep -q '^fpc+1,converged,converged,[0-9.e-]*,' "$WORK/sw/sweep.csv" || fail "fpc row"
grep -q '^ama+0.2,max_rounds,converging,0\.9[0-9]*,,,[0-9]*,0\.9[0-9]*,' "$WORK/sw/sweep.csv" ||
  { cat "$WORK/sw/sweep.csv" >&2; fail "ama row"; }
echo "ok sweep.csv carries the verdict columns"

# d = 500: the reference says what it will cost and reports its Newton steps.
"$FEDPC" run "$CFG/logistic.ini" --out "$WORK/big" --set data.features=499 \
  --set data.n_per_client=20 --set partition.clients=2 --set run.rounds=0 \
  </dev/null >"$WORK/big.log" 2>&1 || { cat "$WORK/big.log" >&2; fail "d = 500 run"; }
grep -q "^reference: θ\* by central Newton over all 2 clients (d = 500;" "$WORK/big.log" &&
  grep -q "^reference: Newton step" "$WORK/big.log" || { cat "$WORK/big.log" >&2; fail "no reference progress"; }
echo "ok the d = 500 reference prints its cost and its steps"
