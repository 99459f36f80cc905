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
