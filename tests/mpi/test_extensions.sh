#!/bin/sh
# Extension points: a family (scalar, H_k = c_k I) and an algorithm (gd) written in
# tests/ext, one file each, registered by fedpc_ext through the public calls, run by the
# same server and host code under mpirun: they converge to the θ* that the built-in
# central reference computes, the same on P = 1 and 3; gd with a step above 2/L diverges;
# the library's own fedpc does not know them.
. "$FC_SRC/tests/mpi/lib.sh"
: "${FEDPC_EXT:?}"
run_ext() { # P OUT ARGS...: fedpc_ext run on logistic.ini
  p=$1; out=$2; shift 2
  "$MPIEXEC" --oversubscribe -n "$p" "$FEDPC_EXT" run "$CFG/logistic.ini" --quiet --out "$out" \
    "$@" </dev/null >"$out.log" 2>&1
}
converges() { # NAME ARGS...
  name=$1; shift
  for p in 1 3; do
    run_ext "$p" "$WORK/$name.$p" "$@" || { cat "$WORK/$name.$p.log" >&2; fail "$name P=$p failed"; }
    st=$(json_field "$WORK/$name.$p/summary.json" status)
    [ "$st" = converged ] || fail "$name P=$p: status $st"
    dist=$(last_field "$WORK/$name.$p/metrics.csv" dist_to_opt)
    awk -v x="$dist" 'BEGIN { exit !(x < 1e-6) }' || fail "$name P=$p: dist_to_opt $dist"
  done
  same_numbers "$WORK/$name.1/metrics.csv" "$WORK/$name.3/metrics.csv"
  cmp -s "$WORK/$name.1/mean.txt" "$WORK/$name.3/mean.txt" || fail "$name: mean.txt differs by P"
  echo "ok $name: converged, dist $dist, P = 1 and 3 identical"
}
converges scalar --set algorithm.family=scalar --set algorithm.damping=0.5 --set run.rounds=400
converges scalar_pvi --set algorithm.name=pvi --set algorithm.family=scalar \
  --set algorithm.damping=0.5 --set run.rounds=400
converges gd --set algorithm.name=gd --set algorithm.penalty=0.005 --set run.rounds=3000

st=0
run_ext 3 "$WORK/gd_big" --set algorithm.name=gd --set algorithm.penalty=1 --set run.rounds=200 \
  --set run.divergence=1e4 || st=$?
[ "$st" -eq 3 ] || { cat "$WORK/gd_big.log" >&2; fail "gd with step 1 exited $st, not 3 (diverged)"; }
echo "ok gd with step 1 oscillates past run.divergence: diverged (exit 3)"

st=0
"$FEDPC" run "$CFG/logistic.ini" --set algorithm.family=scalar --out "$WORK/plain" \
  >"$WORK/plain.log" 2>&1 || st=$?
[ "$st" -eq 2 ] && grep -q "expected one of iso, diag, full, got 'scalar'" "$WORK/plain.log" ||
  { cat "$WORK/plain.log" >&2; fail "fedpc itself accepted family scalar (exit $st)"; }
echo "ok fedpc without the extension refuses family = scalar"
