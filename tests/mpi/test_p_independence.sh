# Acceptance (runtime) 1: P = 1, 2 and 4 give the same metrics.csv (all but seconds) and
# mean.txt to 1e-9 relative, for fpc-full, fpc-diag, pvi-sequential, admm and ama.
. "$(dirname "$0")/lib.sh"
for variant in "fpc full synchronous" "fpc diag synchronous" "pvi full sequential" \
               "admm full synchronous" "ama full synchronous"; do
  set -- $variant
  tag="$1-$2-$3"
  for p in 1 2 4; do
    run_p $p "$WORK/$tag-$p" "$CFG/logistic.ini" --set algorithm.name=$1 \
      --set algorithm.family=$2 --set algorithm.schedule=$3 --set algorithm.damping=0.9 \
      --set run.rounds=12 || fail "$tag P=$p exited $?"
  done
  for p in 2 4; do
    same_numbers "$WORK/$tag-1/metrics.csv" "$WORK/$tag-$p/metrics.csv"
    same_numbers "$WORK/$tag-1/mean.txt" "$WORK/$tag-$p/mean.txt"
  done
  rows=$(wc -l < "$WORK/$tag-1/metrics.csv")
  [ "$rows" -ge 3 ] || fail "$tag: only $rows lines in metrics.csv"
done
