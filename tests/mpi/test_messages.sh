# Issue 9, item 10: messages a new user meets. `run.resume = true` without a checkpoint says
# so once, in one piece, naming the file (exit 2, on 1 and 3 ranks); an unknown model.type
# lists the models there are.
. "$(dirname "$0")/lib.sh"
for p in 1 3; do
  status=0
  run_p "$p" "$WORK/nock$p" "$CFG/linear.ini" --set run.resume=true </dev/null || status=$?
  [ "$status" -eq 2 ] || { cat "$WORK/nock$p.log"; fail "P=$p: resume without a checkpoint: exit $status"; }
  want="fedpc: run.resume = true but there is no checkpoint: $WORK/nock$p/checkpoint.bin: cannot open: No such file or directory"
  [ "$(grep -c 'no checkpoint' "$WORK/nock$p.log")" -eq 1 ] || { cat "$WORK/nock$p.log"; fail "P=$p: said more than once"; }
  grep -qxF "$want" "$WORK/nock$p.log" || { cat "$WORK/nock$p.log"; fail "P=$p: message is not '$want'"; }
done
status=0
"$FEDPC" run "$CFG/linear.ini" --set model.type=lineer >"$WORK/model.log" 2>&1 </dev/null || status=$?
[ "$status" -eq 2 ] || fail "unknown model.type: exit $status"
grep -qF "model.type: expected one of linear, logistic, softmax, mlp, got 'lineer'" "$WORK/model.log" ||
  { cat "$WORK/model.log"; fail "unknown model.type does not list the models"; }
echo "messages: ok"
