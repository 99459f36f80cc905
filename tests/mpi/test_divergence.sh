# Sweep/stability acceptance 4: a run that overflows to Inf/NaN and a run whose precision
# loses positive-definiteness both end `diverged` with exit status 3, never crash or hang,
# and keep metrics.csv up to the last good round.
. "$(dirname "$0")/lib.sh"
check_diverged() {
  tag=$1; reason=$2; shift 2
  status=0
  run_p 2 "$WORK/$tag" "$@" || status=$?
  [ "$status" -eq 3 ] || { cat "$WORK/$tag.log"; fail "$tag: exit $status, expected 3"; }
  s="$WORK/$tag/summary.json"
  [ "$(json_field "$s" status)" = diverged ] || fail "$tag: status"
  grep -q "\"reason\":.*$reason" "$s" || fail "$tag: reason is not '$reason': $(grep reason "$s")"
  rows=$(($(wc -l < "$WORK/$tag/metrics.csv") - 1))
  last=$(json_field "$s" rounds)
  [ "$rows" -eq "$((last + 1))" ] || fail "$tag: $rows rows but rounds = $last"
  [ "$rows" -ge 2 ] || fail "$tag: no good round was kept"
  # every written number is finite
  if grep -i -E "nan|inf" "$WORK/$tag/metrics.csv" "$WORK/$tag/mean.txt"; then
    fail "$tag: a non-finite number was written"
  fi
  echo "$tag: diverged after round $last ($(grep '"reason"' "$s"))"
}
# AMA far past Tseng's bound with the threshold disabled: grows until it overflows.
check_diverged overflow "non-finite" "$CFG/linear.ini" --set algorithm.name=ama \
  --set algorithm.penalty=3 --set run.rounds=2000 --set run.divergence=1e308
# Over-relaxed full-covariance FPC on confident logistic data: an indefinite precision.
check_diverged indefinite "not positive definite" "$CFG/logistic.ini" \
  --set data.heterogeneity=3 --set model.prior_precision=0.01 --set algorithm.damping=1.95 \
  --set run.rounds=100
# The threshold path: the objective gap crosses run.divergence within a few rounds.
check_diverged threshold "above run.divergence" "$CFG/linear.ini" --set algorithm.name=ama \
  --set algorithm.penalty=3 --set run.rounds=2000
