# Acceptance (runtime) 6: partial participation (0.5) with a fixed seed is reproducible
# across runs and across P; a different seed picks other clients.
. "$(dirname "$0")/lib.sh"
set -- --set algorithm.participation=0.5 --set run.seed=7 --set run.rounds=15 \
       --set algorithm.name=pvi --set algorithm.schedule=sequential
run_p 1 "$WORK/a" "$CFG/logistic.ini" "$@" || fail "P=1 exited $?"
run_p 1 "$WORK/b" "$CFG/logistic.ini" "$@" || fail "P=1 again exited $?"
run_p 3 "$WORK/c" "$CFG/logistic.ini" "$@" || fail "P=3 exited $?"
run_p 2 "$WORK/d" "$CFG/logistic.ini" "$@" --set algorithm.schedule=synchronous \
  --set algorithm.name=fpc || fail "sync P=2 exited $?"
run_p 4 "$WORK/e" "$CFG/logistic.ini" "$@" --set algorithm.schedule=synchronous \
  --set algorithm.name=fpc || fail "sync P=4 exited $?"
for x in b c; do
  same_numbers "$WORK/a/metrics.csv" "$WORK/$x/metrics.csv"
  same_numbers "$WORK/a/mean.txt" "$WORK/$x/mean.txt"
done
same_numbers "$WORK/d/metrics.csv" "$WORK/e/metrics.csv"
run_p 1 "$WORK/f" "$CFG/logistic.ini" "$@" --set run.seed=8 || fail "seed 8 exited $?"
if "$TESTTOOL" csvcmp "$WORK/a/mean.txt" "$WORK/f/mean.txt" 1e-9 >/dev/null 2>&1; then
  fail "another seed gave the same run: participation is not seeded"
fi
# Half the clients talk each round: the payload is half that of full participation.
run_p 1 "$WORK/g" "$CFG/logistic.ini" "$@" --set algorithm.participation=1 || fail "full"
# (the bytes column by name: SPEC §10's columns follow it)
bytes2() { awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="bytes") c=i} NR==3{print $c}' "$1"; }
half=$(bytes2 "$WORK/a/metrics.csv")
full=$(bytes2 "$WORK/g/metrics.csv")
[ -n "$half" ] && [ "$half" -gt 0 ] || fail "no bytes column"
[ "$((full))" -eq "$((2 * half))" ] || fail "bytes per round: $half with 0.5, $full with 1"
