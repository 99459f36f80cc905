# Acceptance (runtime) 7 and SPEC §5: --help documents every subcommand and option; bad
# command lines and configs give exit status 2 with a message.
. "$(dirname "$0")/lib.sh"
"$FEDPC" --help > "$WORK/help" || fail "--help exited $?"
for word in "fedpc run" "fedpc sweep" "fedpc partition" "fedpc plot" --set --vary --out \
            --quiet --version "exit status"; do
  grep -q -- "$word" "$WORK/help" || fail "--help does not mention $word"
done
"$FEDPC" --version | grep -q "^fedpc [0-9]" || fail "--version"
status=0; "$FEDPC" frobnicate 2>"$WORK/err" || status=$?
[ "$status" -eq 2 ] && grep -q "unknown command 'frobnicate'" "$WORK/err" || fail "bad command: $status"
status=0; "$FEDPC" run "$WORK/nope.ini" 2>"$WORK/err" || status=$?
[ "$status" -eq 2 ] && grep -q "nope.ini: cannot open" "$WORK/err" || fail "missing config: $status"
printf '[algorithm]\ndamping = 0\n' > "$WORK/bad.ini"
status=0; "$FEDPC" run "$WORK/bad.ini" 2>"$WORK/err" || status=$?
[ "$status" -eq 2 ] && grep -q "bad.ini:2: algorithm.damping: must be in (0, 2), got 0" "$WORK/err" \
  || fail "bad damping: $status $(cat "$WORK/err")"
status=0; "$FEDPC" run "$CFG/logistic.ini" --set run.rounds=ten 2>"$WORK/err" || status=$?
[ "$status" -eq 2 ] && grep -q -- "--set run.rounds=ten" "$WORK/err" || fail "bad --set: $status"

# fedpc plot with several run folders: one comparison into --out (required then).
"$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/cmp_a" >/dev/null 2>&1 || fail "run a"
"$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/cmp_b" --set algorithm.family=diag \
  >/dev/null 2>&1 || fail "run b"
if "$FEDPC" plot "$WORK/cmp_a" "$WORK/cmp_b" >"$WORK/cmp.log" 2>&1; then
  fail "plot of two folders without --out succeeded"
fi
grep -q "several folders need --out" "$WORK/cmp.log" || fail "no message for the missing --out"
if command -v gnuplot >/dev/null; then
  "$FEDPC" plot "$WORK/cmp_a" "$WORK/cmp_b" --out "$WORK/cmp" >"$WORK/cmp.log" 2>&1 ||
    { cat "$WORK/cmp.log" >&2; fail "plot comparison failed"; }
  [ -s "$WORK/cmp/convergence.png" ] && [ -s "$WORK/cmp/convergence_bytes.png" ] ||
    fail "the comparison wrote no PNGs"
fi
echo "plot of several folders: ok"
