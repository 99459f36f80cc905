#!/bin/sh
# Regression: the runs of tests/mpi/fixture_cases.txt write, on P = 1 and P = 3, exactly the
# metrics.csv (every column but seconds) and mean.txt that the commit before the
# extension-point refactor wrote (tests/mpi/fixtures/, produced by that commit's build).
. "$FC_SRC/tests/mpi/lib.sh"

strip_seconds() {
  awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="seconds") c=i}
    {s=""; f=1; for(i=1;i<=NF;i++) if(i!=c) { s=(f ? $i : s "," $i); f=0 } print s}' "$1"
}

check_case() { # name config sets...
  name=$1; config=$2; shift 2
  args=""
  for s in "$@"; do args="$args --set $s"; done
  for p in 1 3; do
    out="$WORK/$name.p$p"
    # shellcheck disable=SC2086
    run_p "$p" "$out" "$CFG/$config" $args </dev/null || { st=$?; cat "$out.log" >&2; fail "$name P=$p exited $st"; }
    strip_seconds "$out/metrics.csv" >"$out/metrics.noseconds"
    if ! cmp -s "$out/metrics.noseconds" "$FC_SRC/tests/mpi/fixtures/$name/metrics.csv"; then
      diff "$out/metrics.noseconds" "$FC_SRC/tests/mpi/fixtures/$name/metrics.csv" | head >&2
      fail "$name P=$p: metrics.csv differs from the fixture"
    fi
    cmp -s "$out/mean.txt" "$FC_SRC/tests/mpi/fixtures/$name/mean.txt" ||
      fail "$name P=$p: mean.txt differs from the fixture"
  done
  echo "ok $name"
}

cases=0
exec 3<"$FC_SRC/tests/mpi/fixture_cases.txt"
while read -r line <&3; do
  case "$line" in '#'* | '') continue ;; esac
  # shellcheck disable=SC2086
  check_case $line
  cases=$((cases + 1))
done
[ "$cases" -ge 15 ] || fail "only $cases fixture cases ran"
echo "fixtures: $cases cases identical on P = 1 and 3"
