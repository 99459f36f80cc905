#!/bin/sh
# Failures that only some ranks see end the whole job quickly, with a message naming the
# path and the rank: an unwritable --out (run and sweep), and a config or data file that
# only rank 0, or only one client rank, can read (on a cluster: a file on some nodes'
# disks only). Each job runs under `timeout 10`: a rank left waiting is a failure.
. "$FC_SRC/tests/mpi/lib.sh"
"$FEDPC" partition "$CFG/logistic.ini" --out "$WORK/parts" >/dev/null || fail "partition"
{ head -n 1 "$WORK/parts/client_0.csv"; for f in "$WORK"/parts/client_*.csv; do tail -n +2 "$f"; done; } >"$WORK/all.csv"
cat >"$WORK/csv.ini" <<INI
[data]
format = csv
train = all.csv
[partition]
clients = 4
[run]
rounds = 2
INI

# expect NAME PATTERN CMD...: the job fails (not 0, not a timeout) and stderr matches.
expect() {
  name=$1; pattern=$2; shift 2
  st=0
  "$@" </dev/null >"$WORK/$name.log" 2>&1 || st=$?
  [ "$st" -ne 0 ] || fail "$name: exited 0"
  [ "$st" -ne 124 ] || { cat "$WORK/$name.log" >&2; fail "$name: still running after 10 s"; }
  grep -q "$pattern" "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; fail "$name: no '$pattern'"; }
  echo "ok $name (exit $st)"
}
mp() { timeout 10 "$MPIEXEC" --oversubscribe -n 3 "$@"; }
# per_rank R A B CMD...: rank R gets argument A where the others get B (at the @ mark).
per_rank() {
  r=$1; a=$2; b=$3; shift 3
  # shellcheck disable=SC2016
  mp sh -c 'r=$1; a=$2; b=$3; shift 3; v=$b; [ "$OMPI_COMM_WORLD_RANK" = "$r" ] && v=$a
    for x in "$@"; do shift; [ "$x" = @ ] && x=$v; set -- "$@" "$x"; done; exec "$@"' \
    sh "$r" "$a" "$b" "$@"
}

expect out_run "rank 0: /etc/passwd/sub: cannot create folder" \
  mp "$FEDPC" run "$CFG/logistic.ini" --out /etc/passwd/sub
expect out_sweep "rank 0: /etc/passwd/sub: cannot create folder" \
  mp "$FEDPC" sweep "$CFG/logistic.ini" --vary run.rounds=1,2 --out /etc/passwd/sub
# The config: readable on rank 0 only, then on client rank 2 only.
expect config_rank0_only "rank 1: $WORK/none.ini: cannot open" \
  per_rank 0 "$CFG/logistic.ini" "$WORK/none.ini" "$FEDPC" run @ --out "$WORK/o1"
expect config_rank2_only "rank 0: $WORK/none.ini: cannot open" \
  per_rank 2 "$CFG/logistic.ini" "$WORK/none.ini" "$FEDPC" run @ --out "$WORK/o2"
# The data file: on rank 0's disk only, then on client rank 1's only.
expect data_rank0_only "rank 1: .*data.train: cannot open '$WORK/missing.csv'" \
  per_rank 0 "data.train=$WORK/all.csv" "data.train=$WORK/missing.csv" \
  "$FEDPC" run "$WORK/csv.ini" --set @ --out "$WORK/o3"
expect data_rank1_only "rank 0: .*data.train: cannot open '$WORK/missing.csv'" \
  per_rank 1 "data.train=$WORK/all.csv" "data.train=$WORK/missing.csv" \
  "$FEDPC" run "$WORK/csv.ini" --set @ --out "$WORK/o4"
# And the same file for every rank works (the test's own set-up is right).
mp "$FEDPC" run "$WORK/csv.ini" --quiet --out "$WORK/ok" </dev/null >"$WORK/ok.log" 2>&1 ||
  { cat "$WORK/ok.log" >&2; fail "the csv config itself does not run"; }
echo "ok every partial failure ended the job within 10 s"

# Several hosts (SPEC §13): the test set on the server's disk only is enough (the other ranks
# neither read nor look for it; the metrics are those of a run where every rank sees it); on
# a client rank's disk only, rank 0 names it.
mp "$FEDPC" run "$WORK/csv.ini" --quiet --set "data.test=$WORK/parts/test.csv" \
  --out "$WORK/t_all" </dev/null >"$WORK/t_all.log" 2>&1 || { cat "$WORK/t_all.log" >&2; fail "test set run"; }
per_rank 0 "data.test=$WORK/parts/test.csv" "data.test=$WORK/missing.csv" \
  "$FEDPC" run "$WORK/csv.ini" --quiet --set @ --out "$WORK/t_rank0" </dev/null \
  >"$WORK/t_rank0.log" 2>&1 || { cat "$WORK/t_rank0.log" >&2; fail "a test set on rank 0's disk only"; }
"$TESTTOOL" csvcmp "$WORK/t_all/metrics.csv" "$WORK/t_rank0/metrics.csv" 0 seconds ||
  fail "a test set on rank 0's disk only: other metrics"
[ -n "$(last_field "$WORK/t_rank0/metrics.csv" test_accuracy)" ] || fail "no test accuracy"
expect test_rank1_only "rank 0: .*data.test: cannot open '$WORK/missing.csv'" \
  per_rank 1 "data.test=$WORK/parts/test.csv" "data.test=$WORK/missing.csv" \
  "$FEDPC" run "$WORK/csv.ini" --set @ --out "$WORK/t_rank1"
echo "ok a test set on the server's disk only"
