# Issue 9, items 4 and 5: a sweep refuses a --vary key or value that no cell could use
# before its first run (exit 2, with the nearest key), keeps cells invalid only in
# combination as `invalid` rows, and gives every failed or diverged row its reason.
. "$(dirname "$0")/lib.sh"
# expect_refused TAG MESSAGE ARGS...: exit 2, MESSAGE on stderr, no run folder made.
expect_refused() {
  tag=$1; msg=$2; shift 2
  status=0
  "$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/linear.ini" --out "$WORK/$tag" "$@" \
    >"$WORK/$tag.log" 2>&1 </dev/null || status=$?
  [ "$status" -eq 2 ] || { cat "$WORK/$tag.log"; fail "$tag: exit $status, expected 2"; }
  grep -qF -- "$msg" "$WORK/$tag.log" || { cat "$WORK/$tag.log"; fail "$tag: no '$msg'"; }
  [ ! -e "$WORK/$tag" ] || fail "$tag: a run was started"
  echo "$tag: refused: $(grep -F -- "$msg" "$WORK/$tag.log" | head -n1)"
}
expect_refused misspelt "algorithm.dampin: unknown key; did you mean algorithm.damping?" \
  --vary algorithm.dampin=1,2
expect_refused zipped_misspelt "did you mean algorithm.penalty?" \
  --vary algorithm.name+algorithm.penalti=ama+1,fpc+2
expect_refused bad_value "value '3' is invalid for every cell" \
  --vary run.rounds=2,3 --vary algorithm.damping=0.5,3
expect_refused bad_name "expected one of fpc, pvi, admm, ama, central, fedavg, fedprox, bayes_admm, got 'amma'" \
  --vary algorithm.name=fpc,amma

# Invalid only together (dirichlet needs class labels, so with linear): an `invalid` row with
# the validator's reason; the other cells run. A diverging cell has the divergence reason.
"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/logistic.ini" --out "$WORK/combo" \
  --set run.rounds=3 --set partition.clients=2 --set data.format=csv --set data.train="$WORK/t.csv" \
  --vary model.type=linear,logistic --vary partition.scheme=iid,dirichlet \
  >"$WORK/combo.log" 2>&1 </dev/null && fail "combo: the csv file does not exist yet"
printf 'y,x1,x2\n' >"$WORK/t.csv"
i=0
while [ $i -lt 200 ]; do
  printf '%d,%d.5,%d\n' $((i % 2)) $((i % 7)) $((i % 5 - 2)) >>"$WORK/t.csv"
  i=$((i + 1))
done
"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/logistic.ini" --out "$WORK/combo" \
  --set run.rounds=3 --set partition.clients=2 --set data.format=csv --set data.train="$WORK/t.csv" \
  --vary model.type=linear,logistic --vary partition.scheme=iid,dirichlet \
  >"$WORK/combo.log" 2>&1 </dev/null || { cat "$WORK/combo.log"; fail "combo: exit $?"; }
csv="$WORK/combo/sweep.csv"
head -n1 "$csv" | grep -q ',dir,reason$' || fail "sweep.csv header: $(head -n1 "$csv")"
row=$(grep '^linear,dirichlet,' "$csv") || fail "no linear+dirichlet row"
echo "$row" | grep -q ',invalid,.*needs a model with class labels' || fail "row: $row"
grep -q '^logistic,dirichlet,converged,' "$csv" || { cat "$csv"; fail "logistic+dirichlet did not run"; }
grep -q 'invalid .*needs a model with class labels' "$WORK/combo.log" || fail "table lacks the reason"
awk -F, 'NR>1 && NF!=15 {bad=1} END{exit bad}' "$csv" || fail "a row does not have 15 fields (2 keys + 13)"

"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/linear.ini" --out "$WORK/div" \
  --set run.rounds=200 --vary algorithm.name+algorithm.penalty=fpc+1,ama+3 \
  >"$WORK/div.log" 2>&1 </dev/null || { cat "$WORK/div.log"; fail "div: exit $?"; }
grep -q '^fpc+1,converged,.*,run000,$' "$WORK/div/sweep.csv" || fail "fpc row: $(cat "$WORK/div/sweep.csv")"
grep -q '^ama+3,diverged,.*,run001,objective gap above run.divergence$' "$WORK/div/sweep.csv" ||
  fail "ama row: $(cat "$WORK/div/sweep.csv")"
grep -q 'diverged .*objective gap above run.divergence' "$WORK/div.log" || fail "table lacks the reason"
echo "sweep reasons: ok"
