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
[ "$st" -eq 2 ] && grep -q "expected one of iso, diag, full, lowrank, got 'scalar'" "$WORK/plain.log" ||
  { cat "$WORK/plain.log" >&2; fail "fedpc itself accepted family scalar (exit $st)"; }
echo "ok fedpc without the extension refuses family = scalar"

# A model with its own key and prior mean (tests/ext/fc_ext_shifted.c): linear + full + α = 1
# is exact after one round against θ* = (δI + βXᵀX)⁻¹(δμ₀ + βXᵀy) from an independent
# dense solve (μ₀ = 2·1), on 3 ranks; ADMM and central reach the same θ* through their own
# server steps, which carry δμ₀ too.
"$FEDPC" partition "$CFG/linear.ini" --out "$WORK/parts" >/dev/null || fail "partition"
cat "$WORK"/parts/client_*.csv >"$WORK/all.csv"
"$TESTTOOL" linsolve "$WORK/all.csv" 0.5 2.0 1 2 >"$WORK/star.txt" || fail "linsolve"
shifted="--set model.type=linear_shifted --set model.prior_mean=2"
for alg in "fpc 1 1" "admm 20 400" "central 1 5"; do
  set -- $alg
  # shellcheck disable=SC2086
  "$MPIEXEC" --oversubscribe -n 3 "$FEDPC_EXT" run "$CFG/linear.ini" --quiet $shifted \
    --set algorithm.name="$1" --set algorithm.penalty="$2" --set run.rounds="$3" \
    --set run.tol=1e-12 --out "$WORK/sh_$1" </dev/null >"$WORK/sh_$1.log" 2>&1 ||
    { cat "$WORK/sh_$1.log" >&2; fail "linear_shifted $1 failed"; }
  "$TESTTOOL" csvcmp "$WORK/sh_$1/mean.txt" "$WORK/star.txt" 1e-8 ||
    fail "linear_shifted $1: mean is not the closed-form posterior mean with μ₀ = 2"
  grep -q '"prior_mean"' "$WORK/sh_$1/summary.json" || fail "summary.json does not echo prior_mean"
done
echo "ok linear_shifted: fpc exact in one round, admm and central reach θ*(μ₀)"
for bad in "model.prior_mean=abc:expected a number" ; do
  st=0
  "$FEDPC_EXT" run "$CFG/linear.ini" $shifted --set "${bad%%:*}" --out "$WORK/bad" \
    >"$WORK/bad.log" 2>&1 || st=$?
  [ "$st" -eq 2 ] && grep -q "model.prior_mean: ${bad#*:}" "$WORK/bad.log" ||
    { cat "$WORK/bad.log" >&2; fail "bad model key value: exit $st"; }
done
st=0
"$FEDPC_EXT" run "$CFG/linear.ini" --set model.prior_mean=2 --out "$WORK/bad" >"$WORK/bad.log" 2>&1 || st=$?
[ "$st" -eq 2 ] && grep -q "model.prior_mean: not a key of model.type = linear" "$WORK/bad.log" ||
  { cat "$WORK/bad.log" >&2; fail "a model key of another model: exit $st"; }
echo "ok model keys: bad values and keys of another model are refused (exit 2)"

# --help lists what the registries hold, so the added rows appear there too.
"$FEDPC_EXT" --help >"$WORK/help.txt" || fail "--help exited"
grep -q "^algorithm.name: .*central, fedavg, fedprox, bayes_admm, gd$" "$WORK/help.txt" &&
  grep -q "^algorithm.family: .*full, lowrank, scalar$" "$WORK/help.txt" &&
  grep -q "^model.type: .*linear_shifted$" "$WORK/help.txt" ||
  { cat "$WORK/help.txt" >&2; fail "--help does not list the registered rows"; }
echo "ok --help lists the registered algorithms, families and models"
