#!/bin/sh
# θ* is computed over every client whatever algorithm.participation is (the reference is
# central Newton on all the data): theta_star_objective is the same to the last digit at
# participation 1, 0.5 and 0.1, and runs that converge end at θ* (dist_to_opt < 1e-6), on
# synthetic data and on Fashion-MNIST. central itself ignores participation (with a warning).
. "$FC_SRC/tests/mpi/lib.sh"
check() { # TAG CONFIG ROUNDS [args...]
  tag=$1; cfg=$2; rounds=$3; shift 3
  ref=""
  for frac in 1 0.5 0.1; do
    out="$WORK/$tag.$frac"
    run_p 3 "$out" "$cfg" --set algorithm.participation="$frac" --set run.rounds="$rounds" "$@" ||
      { cat "$out.log" >&2; fail "$tag participation $frac exited"; }
    star=$(json_field "$out/summary.json" theta_star_objective)
    [ -n "$star" ] || fail "$tag: no theta_star_objective"
    [ -z "$ref" ] || [ "$star" = "$ref" ] || fail "$tag: θ* objective $star at $frac, $ref at 1"
    ref=$star
    dist=$(last_field "$out/metrics.csv" dist_to_opt)
    if [ "$(json_field "$out/summary.json" status)" = converged ]; then
      awk -v x="$dist" 'BEGIN { exit !(x < 1e-6) }' || fail "$tag $frac: converged at dist $dist"
    elif [ "$frac" != 0.1 ]; then
      fail "$tag: participation $frac did not converge in $rounds rounds (dist $dist)"
    fi
    echo "ok $tag participation $frac: θ* objective $star, final dist $dist"
  done
}
check synthetic "$CFG/logistic.ini" 400 --set run.tol=1e-9
check fmnist "$FC_SRC/configs/fmnist_softmax.ini" 40 --set data.max_examples=3000 \
  --set partition.clients=10 --set partition.groups='0;1;2;3;4;5;6;7;8;9'
# central with partial participation: every client anyway, and it says so.
run_p 3 "$WORK/central" "$CFG/logistic.ini" --set algorithm.name=central \
  --set algorithm.participation=0.5 || fail "central exited"
[ "$(json_field "$WORK/central/summary.json" status)" = converged ] || fail "central did not converge"
grep -q "participation = 0.5 is ignored" "$WORK/central.log" || fail "central gave no warning"
echo "ok central ignores participation"
