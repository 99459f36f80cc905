# Sweep/stability acceptance 1: a two-key sweep of 20 runs, some diverging, finishes with
# every row in sweep.csv and a PNG stability map; the statuses of a small sweep equal those
# of the same runs made one by one.
. "$(dirname "$0")/lib.sh"
"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/linear.ini" --out "$WORK/sw" \
  --set algorithm.name=ama --set run.rounds=200 --set run.tol=1e-6 \
  --set model.prior_precision=50 --set model.noise_precision=0.2 \
  --vary algorithm.penalty=1:40:5:log --vary algorithm.damping=0.25,0.5,1,1.5 \
  > "$WORK/sw.log" 2>&1 || { cat "$WORK/sw.log"; fail "sweep exited $?"; }
rows=$(($(wc -l < "$WORK/sw/sweep.csv") - 1))
[ "$rows" -eq 20 ] || fail "sweep.csv has $rows rows, expected 20"
grep -q ",diverged," "$WORK/sw/sweep.csv" || fail "no run diverged"
grep -q ",converged," "$WORK/sw/sweep.csv" || fail "no run converged"
head -c 8 "$WORK/sw/stability.png" | od -An -c | grep -q "P   N   G" || fail "no PNG stability map"
[ "$(grep -c "diverged" "$WORK/sw.log")" -ge 1 ] || fail "table lacks diverged rows"
# The same runs one by one (a 2 x 2 corner of the grid).
for pen in 1 40; do
  for damp in 0.5 1.5; do
    status=0
    run_p 1 "$WORK/one-$pen-$damp" "$CFG/linear.ini" --set algorithm.name=ama \
      --set run.rounds=200 --set run.tol=1e-6 --set model.prior_precision=50 \
      --set model.noise_precision=0.2 --set algorithm.penalty=$pen \
      --set algorithm.damping=$damp || status=$?
    alone=$(json_field "$WORK/one-$pen-$damp/summary.json" status)
    inswp=$(awk -F, -v p=$pen -v d=$damp '$1==p && $2==d {print $3}' "$WORK/sw/sweep.csv")
    [ -n "$inswp" ] || fail "no sweep row for penalty $pen damping $damp"
    [ "$alone" = "$inswp" ] || fail "penalty $pen damping $damp: $alone alone, $inswp in the sweep"
    echo "penalty $pen damping $damp: $alone (exit $status)"
  done
done
