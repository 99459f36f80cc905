# fedavg, fedprox (SPEC §9), acceptance 5 and 6 of issue 12: P = 1, 2, 4 give identical
# metrics.csv (every column but seconds) and mean.txt — minibatch SGD and Adam, partial
# participation, on logistic, softmax and mlp (seeded μ₀); shuffles are seeded by client
# and round, never by rank. A run stopped at a checkpoint and resumed on another P is bit
# for bit the uninterrupted run (mlp, fedprox, Adam, participation 0.5); the payload is d
# each way per participant and round; a sweep runs both; bad optimiser keys exit 2 naming
# file, line and key.
. "$(dirname "$0")/lib.sh"
MB="--set algorithm.batch_size=16 --set algorithm.local_epochs=2 --set run.rounds=10"
for variant in "fedavg sgd 1 logistic" "fedavg sgd 0.5 logistic" "fedprox adam 0.6 logistic" \
               "fedavg adam 1 softmax" "fedavg sgd 0.5 mlp" "fedprox adam 1 mlp"; do
  set -- $variant
  tag="$1-$2-$3-$4"
  extra=""
  [ "$4" = softmax ] && extra="--set model.type=softmax --set data.classes=3"
  [ "$4" = mlp ] && extra="--set model.type=mlp --set model.hidden=8 --set data.classes=3"
  for p in 1 2 4; do
    # shellcheck disable=SC2086
    run_p $p "$WORK/$tag-$p" "$CFG/logistic.ini" $MB $extra --set algorithm.name=$1 \
      --set algorithm.optimizer=$2 --set algorithm.participation=$3 --set algorithm.lr=0.002 \
      --set algorithm.penalty=5 || { cat "$WORK/$tag-$p.log"; fail "$tag P=$p exited $?"; }
  done
  for p in 2 4; do
    "$TESTTOOL" csvcmp "$WORK/$tag-1/metrics.csv" "$WORK/$tag-$p/metrics.csv" 0 seconds ||
      fail "$tag: P=$p metrics differ"
    cmp -s "$WORK/$tag-1/mean.txt" "$WORK/$tag-$p/mean.txt" || fail "$tag: P=$p mean.txt differs"
  done
  rows=$(wc -l < "$WORK/$tag-1/metrics.csv")
  [ "$rows" -eq 12 ] || fail "$tag: $rows lines in metrics.csv, not 12"
  echo "ok $tag: P = 1, 2, 4 identical"
done
# The iterates move: a run that did nothing would pass the comparisons above.
first=$(sed -n 2p "$WORK/fedavg-sgd-1-logistic-1/metrics.csv" | cut -d, -f3)
last=$(last_field "$WORK/fedavg-sgd-1-logistic-1/metrics.csv" objective)
[ "$first" != "$last" ] || fail "fedavg: the objective never changed ($first)"

# Payload: logistic.ini has d = 7 and K = 8; participation 0.5 takes 4 clients a round, each
# sending and receiving d doubles: 10 rounds · 4 · 2 · 7 · 8 bytes.
bytes=$(last_field "$WORK/fedavg-sgd-0.5-logistic-1/metrics.csv" bytes)
[ "$bytes" = "$((10 * 4 * 2 * 7 * 8))" ] || fail "payload: $bytes bytes, not $((10 * 4 * 2 * 7 * 8))"
echo "ok payload d each way"

# Checkpoint every 3 rounds, stop after 7, resume to 12 on another P: same as uninterrupted.
CK="--set model.type=mlp --set model.hidden=8 --set data.classes=3 --set algorithm.name=fedprox --set algorithm.optimizer=adam --set algorithm.participation=0.5 \
--set algorithm.batch_size=16 --set algorithm.local_epochs=2 --set algorithm.lr=0.002 --set run.tol=0"
# shellcheck disable=SC2086
run_p 2 "$WORK/ck" "$CFG/logistic.ini" $CK --set run.rounds=7 --set output.checkpoint_every=3 ||
  fail "checkpointed run exited $?"
# shellcheck disable=SC2086
run_p 3 "$WORK/ck" "$CFG/logistic.ini" $CK --set run.rounds=12 --set output.checkpoint_every=3 \
  --set run.resume=true || { cat "$WORK/ck.log"; fail "resume exited $?"; }
# shellcheck disable=SC2086
run_p 1 "$WORK/whole" "$CFG/logistic.ini" $CK --set run.rounds=12 || fail "uninterrupted run exited $?"
"$TESTTOOL" csvcmp "$WORK/whole/metrics.csv" "$WORK/ck/metrics.csv" 0 seconds || fail "resume metrics"
cmp -s "$WORK/whole/mean.txt" "$WORK/ck/mean.txt" || fail "resume mean"
echo "ok checkpoint/resume bit-identical"

# A sweep over both algorithms and two step sizes, on two ranks.
"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" sweep "$CFG/logistic.ini" --quiet --out "$WORK/sweep" \
  --set run.rounds=5 --vary algorithm.name=fedavg,fedprox --vary algorithm.lr=0.001,0.003 \
  >"$WORK/sweep.log" 2>&1 || { cat "$WORK/sweep.log"; fail "sweep exited $?"; }
n=$(grep -c max_rounds "$WORK/sweep/sweep.csv" || true)
[ "$n" -eq 4 ] || { cat "$WORK/sweep/sweep.csv"; fail "sweep: $n runs ended max_rounds, not 4"; }
echo "ok sweep"

# bad_key LINE SETTING TEXT: a config whose line LINE sets the key wrongly exits 2 with
# "bad.ini:LINE: algorithm.KEY: ..." .
bad_key() {
  line=$1 key=$2 value=$3
  printf '[model]\ntype = logistic\n[algorithm]\nname = fedavg\n%s = %s\n' "$key" "$value" \
    > "$WORK/bad.ini"
  st=0
  "$FEDPC" run "$WORK/bad.ini" --quiet --out "$WORK/bad" >"$WORK/bad.log" 2>&1 || st=$?
  [ "$st" -eq 2 ] || { cat "$WORK/bad.log"; fail "$key = $value: exit $st, not 2"; }
  grep -q "bad.ini:$line: algorithm.$key: " "$WORK/bad.log" ||
    { cat "$WORK/bad.log"; fail "$key = $value: no message naming bad.ini:$line: algorithm.$key"; }
}
bad_key 5 lr 0
bad_key 5 lr -0.1
bad_key 5 batch_size 0
bad_key 5 batch_size -3
bad_key 5 local_epochs 0
bad_key 5 optimizer sgdm
bad_key 5 lr fast
echo "ok bad keys: exit 2 naming file, line and key"
