#!/bin/sh
# --quiet leaves out the per-round lines, not the outcome: a diverging run still prints its
# final status and the reason (and exits 3); a converging one prints its status line only.
. "$FC_SRC/tests/mpi/lib.sh"
st=0
"$MPIEXEC" --oversubscribe -n 2 "$FEDPC" run "$CFG/linear.ini" --quiet --out "$WORK/d" \
  --set algorithm.name=ama --set algorithm.penalty=3 --set run.rounds=2000 \
  </dev/null >"$WORK/d.out" 2>"$WORK/d.err" || st=$?
[ "$st" -eq 3 ] || { cat "$WORK/d.out" "$WORK/d.err" >&2; fail "diverging run exited $st, not 3"; }
grep -q "^status diverged: .*above run.divergence" "$WORK/d.out" ||
  { cat "$WORK/d.out" >&2; fail "--quiet hid the divergence"; }
! grep -q "^round " "$WORK/d.out" || fail "--quiet printed per-round lines"
"$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/c" </dev/null >"$WORK/c.out" 2>&1 ||
  fail "converging run failed"
[ "$(wc -l <"$WORK/c.out")" -eq 1 ] && grep -q "^status converged after" "$WORK/c.out" ||
  { cat "$WORK/c.out" >&2; fail "--quiet on a converging run should print one status line"; }
echo "ok --quiet keeps the final status and its reason"
