# Reliability acceptance 4: a small multi-rank run is clean under valgrind memcheck — no
# invalid accesses, no uninitialised values, no leaks from fedpc's code (Open MPI's own
# reports are suppressed by Open MPI's file and tests/valgrind/openmpi.supp).
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (apt-get install valgrind)"
OMPI_SUPP=/usr/share/openmpi/openmpi-valgrind.supp
[ -f "$OMPI_SUPP" ] || OMPI_SUPP="$FC_SRC/tests/valgrind/openmpi.supp"
for alg in "fpc full" "admm full" "pvi diag"; do
  set -- $alg
  tag="$1-$2"
  rm -f "$WORK"/vg.*.log
  "$MPIEXEC" --oversubscribe -n 2 valgrind --num-callers=50 --leak-check=full \
    --errors-for-leak-kinds=definite --error-exitcode=42 \
    --suppressions="$OMPI_SUPP" --suppressions="$FC_SRC/tests/valgrind/openmpi.supp" \
    --log-file="$WORK/vg.%p.log" "$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/$tag" \
    --set algorithm.name=$1 --set algorithm.family=$2 --set run.rounds=3 \
    --set output.checkpoint_every=2 > "$WORK/$tag.log" 2>&1 \
    || { cat "$WORK"/vg.*.log; fail "$tag: valgrind found errors (exit $?)"; }
  for f in "$WORK"/vg.*.log; do
    grep -q "ERROR SUMMARY: 0 errors" "$f" || { cat "$f"; fail "$tag: $f has errors"; }
  done
  echo "$tag: memcheck clean on 2 ranks ($(grep -h 'total heap usage' "$WORK"/vg.*.log | head -n1 | sed 's/.*usage: //'))"
done
