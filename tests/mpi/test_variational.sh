# Variational expectations and bayes_admm (SPEC §10), acceptance 5 and 7 and the checkpoints:
# mc runs (fpc, pvi, central, bayes_admm; logistic and softmax) give the same numbers on
# P = 1, 2, 4 (the draws are seeded by seed, client, round and sample, never by rank); a
# bayes_admm and an fpc-mc run stopped at a checkpoint and resumed write the uninterrupted
# run's metrics.csv, mean.txt and variance.txt bit for bit; variance.txt holds d values,
# 1/δ for iso; bad input exits 2 naming the key.
. "$(dirname "$0")/lib.sh"
L="$CFG/logistic.ini"
MC="--set algorithm.expectation=mc --set algorithm.mc_samples=24 --set run.rounds=5"
for variant in "fpc full logistic" "pvi diag logistic" "central full logistic" \
  "bayes_admm full logistic" "fpc full softmax" "bayes_admm diag softmax"; do
  set -- $variant
  tag="$1-$2-$3"
  for p in 1 2 4; do
    # shellcheck disable=SC2086
    run_p $p "$WORK/$tag-$p" "$L" $MC --set algorithm.name=$1 --set algorithm.family=$2 \
      --set model.type=$3 --set data.classes=3 --set algorithm.penalty=1 \
      || { cat "$WORK/$tag-$p.log"; fail "$tag P=$p exited $?"; }
  done
  for p in 2 4; do
    "$TESTTOOL" csvcmp "$WORK/$tag-1/metrics.csv" "$WORK/$tag-$p/metrics.csv" 0 seconds ||
      fail "$tag: P=$p metrics differ"
    "$TESTTOOL" csvcmp "$WORK/$tag-1/mean.txt" "$WORK/$tag-$p/mean.txt" 0 || fail "$tag: P=$p mean"
    "$TESTTOOL" csvcmp "$WORK/$tag-1/variance.txt" "$WORK/$tag-$p/variance.txt" 0 ||
      fail "$tag: P=$p variance"
  done
  kl=$(last_field "$WORK/$tag-1/metrics.csv" kl_to_opt)
  [ -n "$kl" ] || fail "$tag: no kl_to_opt"
  echo "ok $tag: P = 1, 2, 4 identical (last kl_to_opt $kl)"
done

# Checkpoint every 3 rounds, stop after 7, resume to 12 on another P: bit for bit.
for variant in "bayes_admm point" "fpc mc"; do
  set -- $variant
  A="--set algorithm.name=$1 --set algorithm.expectation=$2 --set algorithm.mc_samples=16"
  A="$A --set algorithm.penalty=0.5 --set run.tol=0 --set output.checkpoint_every=3"
  # shellcheck disable=SC2086
  run_p 2 "$WORK/ck$1" "$L" $A --set run.rounds=7 || fail "$1: checkpointed run exited $?"
  # shellcheck disable=SC2086
  run_p 3 "$WORK/ck$1" "$L" $A --set run.rounds=12 --set run.resume=true ||
    { cat "$WORK/ck$1.log"; fail "$1: resume exited $?"; }
  # shellcheck disable=SC2086
  run_p 1 "$WORK/whole$1" "$L" $A --set run.rounds=12 || fail "$1: uninterrupted run exited $?"
  for f in metrics.csv mean.txt variance.txt; do
    "$TESTTOOL" csvcmp "$WORK/whole$1/$f" "$WORK/ck$1/$f" 0 seconds || fail "$1: resume $f"
  done
  echo "ok $1 $2: checkpoint/resume bit-identical"
done

# variance.txt: d = 7 values; iso: 1/δ with δ = 2.
run_p 1 "$WORK/iso" "$L" --set algorithm.family=iso --set model.prior_precision=2 \
  --set run.rounds=2 || fail "iso run exited $?"
[ "$(wc -l <"$WORK/iso/variance.txt")" -eq 7 ] || fail "variance.txt: not 7 lines"
awk '$1 != 0.5 { exit 1 }' "$WORK/iso/variance.txt" || fail "iso variance is not 1/δ"
echo "ok variance.txt"

# bad_input KEY SETTINGS...: exit 2 and a message naming the key.
bad_input() {
  key=$1; shift
  st=0
  "$FEDPC" run "$L" --quiet --out "$WORK/bad" "$@" >"$WORK/bad.log" 2>&1 || st=$?
  [ "$st" -eq 2 ] || { cat "$WORK/bad.log"; fail "$*: exit $st, not 2"; }
  grep -q "$key" "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "$*: no message names $key"; }
}
bad_input algorithm.quadrature_points --set algorithm.quadrature_points=0
bad_input algorithm.quadrature_points --set algorithm.quadrature_points=65
bad_input algorithm.mc_samples --set algorithm.mc_samples=0
bad_input algorithm.expectation --set algorithm.expectation=quadrature --set model.type=softmax
bad_input algorithm.expectation --set algorithm.expectation=simpson
bad_input algorithm.expectation --set algorithm.expectation=mc --set algorithm.name=admm
bad_input run.reference --set algorithm.expectation=quadrature --set run.reference=false
bad_input algorithm.family --set algorithm.name=bayes_admm --set algorithm.family=iso
bad_input algorithm.family --set algorithm.expectation=mc --set algorithm.family=lowrank \
  --set algorithm.rank=2
echo "ok bad input: exit 2 naming the key"
