# mlp model (SPEC §8), acceptance 5 and 6 and "every algorithm runs on mlp": P = 1, 2, 4 give
# identical metrics.csv and mean.txt (fpc-diag with the exact and the Monte Carlo Fisher
# diagonal, admm, a two-layer relu net); every algorithm and family runs on P = 1 and 3 with
# the same numbers, participation included; a run stopped at a checkpoint and resumed on
# another P writes the uninterrupted run's files bit for bit; a sweep runs; bad input exits 2
# naming file, line and key, and a full family too large for memory is refused up front
# with the sizes.
. "$(dirname "$0")/lib.sh"
MLP="$CFG/mlp.ini"

same_files() { # A B what
  "$TESTTOOL" csvcmp "$1/metrics.csv" "$2/metrics.csv" 0 seconds || fail "$3: metrics differ"
  "$TESTTOOL" csvcmp "$1/mean.txt" "$2/mean.txt" 0 || fail "$3: mean.txt differs"
}

# Acceptance 5: P = 1, 2, 4.
for variant in "fpc-diag --set algorithm.name=fpc" \
  "fpc-fisher --set algorithm.name=fpc --set model.curvature=fisher_mc" \
  "admm --set algorithm.name=admm --set algorithm.penalty=5" \
  "fpc-relu2 --set model.hidden=6,3 --set model.activation=relu --set algorithm.damping=0.2"; do
  set -- $variant
  tag=$1; shift
  for p in 1 2 4; do
    run_p $p "$WORK/$tag-$p" "$MLP" "$@" || { cat "$WORK/$tag-$p.log"; fail "$tag P=$p exited"; }
  done
  same_files "$WORK/$tag-1" "$WORK/$tag-2" "$tag P=2"
  same_files "$WORK/$tag-1" "$WORK/$tag-4" "$tag P=4"
  # The run moved off μ₀ and measured something finite.
  acc=$(last_field "$WORK/$tag-1/metrics.csv" test_accuracy)
  awk -v a="$acc" 'BEGIN{exit !(a > 0.5 && a <= 1)}' || fail "$tag: test accuracy $acc"
  echo "ok $tag: P = 1, 2, 4 identical (test accuracy $acc)"
done

# The Monte Carlo Fisher is a different curvature: its run differs from the exact diagonal's.
! "$TESTTOOL" csvcmp "$WORK/fpc-diag-1/mean.txt" "$WORK/fpc-fisher-1/mean.txt" 1e-6 \
  >/dev/null 2>&1 || fail "model.curvature = fisher_mc changed nothing"

# Every algorithm and family (Newton-CG and the lowrank family through GGN-vector products),
# participation 0.5 for those that take it, on P = 1 and 3.
for variant in "fpc-full --set algorithm.family=full --set algorithm.damping=0.5" \
  "fpc-iso --set algorithm.family=iso --set algorithm.penalty=20" \
  "fpc-lowrank --set algorithm.family=lowrank --set algorithm.rank=3" \
  "fpc-cg --set algorithm.local_solver=cg --set algorithm.participation=0.5" \
  "pvi-full --set algorithm.name=pvi --set algorithm.family=full --set algorithm.schedule=sequential" \
  "pvi-diag --set algorithm.name=pvi --set algorithm.participation=0.5" \
  "ama --set algorithm.name=ama --set algorithm.penalty=20" \
  "central --set algorithm.name=central"; do
  set -- $variant
  tag=$1; shift
  for p in 1 3; do
    run_p $p "$WORK/$tag-$p" "$MLP" --set run.rounds=6 "$@" ||
      { cat "$WORK/$tag-$p.log"; fail "$tag P=$p exited"; }
  done
  same_files "$WORK/$tag-1" "$WORK/$tag-3" "$tag P=3"
  echo "ok $tag runs on mlp, P = 1 and 3 identical"
done

# central's Gauss–Newton (Armijo on F) lowers F from μ₀ every round.
awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="objective") c=i} NR>2 && $c > prev + 1e-9 {bad=1}
  NR>1{prev=$c} END{exit bad}' "$WORK/central-1/metrics.csv" || fail "central: F went up"

# Checkpoint every 4 rounds, stop after 9, resume to 15 on another P: same as uninterrupted.
run_p 2 "$WORK/ck" "$MLP" --set run.rounds=9 --set output.checkpoint_every=4 ||
  fail "checkpointed run exited"
run_p 3 "$WORK/ck" "$MLP" --set run.rounds=15 --set output.checkpoint_every=4 \
  --set run.resume=true || { cat "$WORK/ck.log"; fail "resume exited"; }
same_files "$WORK/fpc-diag-1" "$WORK/ck" "checkpoint/resume"
echo "ok checkpoint/resume bit-identical"

# A sweep over damping: each cell as its own run.
"$FEDPC" sweep "$MLP" --quiet --vary algorithm.damping=0.3,0.5 --set run.rounds=4 \
  --out "$WORK/sweep" >"$WORK/sweep.log" 2>&1 || { cat "$WORK/sweep.log"; fail "sweep exited"; }
run_p 1 "$WORK/one" "$MLP" --set run.rounds=4 --set algorithm.damping=0.3 || fail "one run"
"$TESTTOOL" csvcmp "$WORK/one/metrics.csv" "$WORK/sweep/run000/metrics.csv" 0 seconds ||
  fail "sweep: the damping 0.3 cell differs from its run made alone"
echo "ok sweep"

# Acceptance 6: bad input in a config file, exit 2 naming file, line and key.
bad_file() { # LINE KEY SED-EXPRESSION
  line=$1; key=$2
  sed "$3" "$MLP" >"$WORK/bad.ini"
  st=0
  "$FEDPC" run "$WORK/bad.ini" --quiet --out "$WORK/bad" >"$WORK/bad.log" 2>&1 || st=$?
  [ "$st" -eq 2 ] || { cat "$WORK/bad.log"; fail "$3: exit $st, not 2"; }
  grep -qF "bad.ini:$line: $key" "$WORK/bad.log" ||
    { cat "$WORK/bad.log"; fail "$3: no message naming bad.ini:$line: $key"; }
}
hl=$(grep -n '^hidden' "$MLP" | cut -d: -f1)
al=$(grep -n '^activation' "$MLP" | cut -d: -f1)
for h in "" 0 -4 8,4,2 "4,"; do bad_file "$hl" model.hidden "s/^hidden = .*/hidden = $h/"; done
bad_file "$al" model.activation "s/^activation = .*/activation = sigmoid/"
bad_file "$al" model.curvature "s/^activation = .*/curvature = hessian/"
grep -qF "unknown activation 'sigmoid'" "$WORK/bad.log" 2>/dev/null || true
echo "ok bad keys: exit 2 naming file, line and key"

# family = full with d = 19 703 (784 inputs, 25 hidden units, 3 classes) on 10 clients: the
# d×d sites (2.9 GiB each) cannot fit; the pre-flight refuses before loading, naming the key
# where it was set and the sizes.
fl=$(grep -n '^family' "$MLP" | cut -d: -f1)
sed -e 's/^family = .*/family = full/' -e 's/^features = .*/features = 784/' \
  -e 's/^hidden = .*/hidden = 25/' -e 's/^clients = .*/clients = 10/' \
  -e 's/^n_per_client = .*/n_per_client = 5/' "$MLP" >"$WORK/big.ini"
st=0
"$FEDPC" run "$WORK/big.ini" --quiet --out "$WORK/big" >"$WORK/big.log" 2>&1 || st=$?
[ "$st" -eq 2 ] || { cat "$WORK/big.log"; fail "too-large full family: exit $st, not 2"; }
grep -qF "big.ini:$fl: algorithm.family: full keeps a d x d site per client" "$WORK/big.log" &&
  grep -qF "d = 19703 parameters" "$WORK/big.log" && grep -q "GiB" "$WORK/big.log" ||
  { cat "$WORK/big.log"; fail "the pre-flight message does not name the key and sizes"; }
echo "ok memory pre-flight: $(sed 's/^fedpc: rank 0: //' "$WORK/big.log" | cut -c1-120)"
