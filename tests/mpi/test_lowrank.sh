# lowrank family (SPEC §12), acceptance 6 and 7: P = 1, 2, 4 give the same numbers (exact
# stack and compressed server state, synchronous and sequential, damped); a run stopped at a
# checkpoint and resumed writes bit for bit the uninterrupted run's metrics.csv and
# mean.txt; bad algorithm.rank / server_rank exit 2 naming the key.
. "$(dirname "$0")/lib.sh"
LR="--set algorithm.family=lowrank --set algorithm.rank=2 --set algorithm.damping=0.7"
for variant in "fpc 0 synchronous" "fpc 5 synchronous" "pvi 3 sequential"; do
  set -- $variant
  tag="$1-$2-$3"
  for p in 1 2 4; do
    # shellcheck disable=SC2086
    run_p $p "$WORK/$tag-$p" "$CFG/logistic.ini" $LR --set algorithm.name=$1 \
      --set algorithm.server_rank=$2 --set algorithm.schedule=$3 --set run.rounds=12 \
      || { cat "$WORK/$tag-$p.log"; fail "$tag P=$p exited $?"; }
  done
  for p in 2 4; do
    "$TESTTOOL" csvcmp "$WORK/$tag-1/metrics.csv" "$WORK/$tag-$p/metrics.csv" 0 seconds ||
      fail "$tag: P=$p metrics differ"
    "$TESTTOOL" csvcmp "$WORK/$tag-1/mean.txt" "$WORK/$tag-$p/mean.txt" 0 || fail "$tag: P=$p mean"
  done
  echo "ok $tag: P = 1, 2, 4 identical"
done

# Checkpoint every 3 rounds, stop after 7, resume to 12 on another P: same as uninterrupted.
# shellcheck disable=SC2086
run_p 2 "$WORK/ck" "$CFG/logistic.ini" $LR --set algorithm.server_rank=5 --set run.rounds=7 \
  --set run.tol=0 --set output.checkpoint_every=3 || fail "checkpointed run exited $?"
# shellcheck disable=SC2086
run_p 3 "$WORK/ck" "$CFG/logistic.ini" $LR --set algorithm.server_rank=5 --set run.rounds=12 \
  --set run.tol=0 --set output.checkpoint_every=3 --set run.resume=true || fail "resume exited $?"
# shellcheck disable=SC2086
run_p 1 "$WORK/whole" "$CFG/logistic.ini" $LR --set algorithm.server_rank=5 --set run.rounds=12 \
  --set run.tol=0 || fail "uninterrupted run exited $?"
"$TESTTOOL" csvcmp "$WORK/whole/metrics.csv" "$WORK/ck/metrics.csv" 0 seconds || fail "resume metrics"
"$TESTTOOL" csvcmp "$WORK/whole/mean.txt" "$WORK/ck/mean.txt" 0 || fail "resume mean"
echo "ok checkpoint/resume bit-identical"

# bad_input KEY SETTINGS...: exit 2 and a message naming the key.
bad_input() {
  key=$1; shift
  st=0
  "$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/bad" "$@" >"$WORK/bad.log" 2>&1 || st=$?
  [ "$st" -eq 2 ] || { cat "$WORK/bad.log"; fail "$*: exit $st, not 2"; }
  grep -q "$key" "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "$*: no message names $key"; }
}
bad_input algorithm.rank --set algorithm.family=lowrank
bad_input algorithm.rank --set algorithm.family=lowrank --set algorithm.rank=0
bad_input algorithm.rank --set algorithm.family=lowrank --set algorithm.rank=-1
bad_input algorithm.rank --set algorithm.family=lowrank --set algorithm.rank=8
bad_input algorithm.server_rank --set algorithm.family=lowrank --set algorithm.rank=3 \
  --set algorithm.server_rank=2
echo "ok bad input: exit 2 naming the key"

# Payload (SPEC §12): per client and round (r + 2)d up and (q + 2)d + 1 down; logistic.ini
# has d = 7 and K = 8, here r = 2 and q = K·r = 16 (exact) or 5 (compressed).
for q in 0 5; do
  eff=$q; [ "$q" -eq 0 ] && eff=16
  want=$(( 8 * 8 * ((2 + 2) * 7 + (eff + 2) * 7 + 1) ))
  # shellcheck disable=SC2086
  run_p 1 "$WORK/bytes$q" "$CFG/logistic.ini" $LR --set algorithm.server_rank=$q --set run.rounds=2 ||
    fail "bytes run exited $?"
  got=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="bytes") c=i} NR==3{print $c}' "$WORK/bytes$q/metrics.csv")
  [ "$got" = "$want" ] || fail "server_rank=$q: round 1 counted $got bytes, want $want"
done
echo "ok payload bytes per round"
