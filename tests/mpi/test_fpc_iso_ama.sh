# Acceptance (runtime) 3: fpc + iso reproduces ama round by round through the runtime.
. "$(dirname "$0")/lib.sh"
common="--set algorithm.damping=0.8 --set algorithm.penalty=0.2 --set algorithm.local_tol=0 --set run.rounds=25"
run_p 2 "$WORK/fpc" "$CFG/logistic.ini" --set algorithm.name=fpc --set algorithm.family=iso $common \
  || fail "fpc exited $?"
run_p 2 "$WORK/ama" "$CFG/logistic.ini" --set algorithm.name=ama $common || fail "ama exited $?"
same_numbers "$WORK/fpc/metrics.csv" "$WORK/ama/metrics.csv"
same_numbers "$WORK/fpc/mean.txt" "$WORK/ama/mean.txt"
