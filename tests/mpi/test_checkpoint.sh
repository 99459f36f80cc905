# Reliability acceptance 1 and 2: SIGKILL one rank mid-run — the job ends non-zero within
# 10 s, naming the rank; a resume finishes the run with metrics.csv and mean.txt equal to an
# uninterrupted run's (every column but seconds, bit for bit). The same for a kill while the
# server is writing the checkpoint (between the temporary file and its rename).
. "$(dirname "$0")/lib.sh"
set -- "$CFG/logistic.ini" --set algorithm.family=iso --set run.rounds=3000 --set run.tol=0 \
       --set output.checkpoint_every=250
run_p 3 "$WORK/full" "$@" || fail "uninterrupted run exited $?"

# pid of the fedpc process with the given MPI rank, among mpirun's children
rank_pid() {
  for pid in $(pgrep -P "$1" fedpc 2>/dev/null || pgrep -P "$1"); do
    if tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
      echo "$pid"; return 0
    fi
  done
  return 1
}

# kill_test TAG RANK WAIT_FOR [mpirun options...]: start a run, wait until WAIT_FOR (a shell
# test) holds, SIGKILL the rank, check the job's end, resume, compare with the full run.
kill_test() {
  tag=$1; rank=$2; cond=$3; shift 3
  out="$WORK/$tag"
  "$MPIEXEC" --oversubscribe -n 3 "$@" "$FEDPC" run "$CFG/logistic.ini" --quiet --out "$out" \
    --set algorithm.family=iso --set run.rounds=3000 --set run.tol=0 \
    --set output.checkpoint_every=250 > "$out.log" 2>&1 &
  job=$!
  i=0
  until eval "$cond"; do
    sleep 0.05; i=$((i + 1))
    [ $i -lt 1200 ] || fail "$tag: the run never reached the kill point"
    kill -0 $job 2>/dev/null || fail "$tag: the run ended before the kill point"
  done
  pid=$(rank_pid $job $rank) || fail "$tag: no process for rank $rank"
  kill -9 "$pid"
  killed=$(date +%s)
  status=0
  wait $job || status=$?
  took=$(( $(date +%s) - killed ))
  [ "$status" -ne 0 ] || fail "$tag: the job exited 0 after a rank was killed"
  [ "$took" -le 10 ] || fail "$tag: the job took ${took}s to end"
  grep -q "rank $rank" "$out.log" || { cat "$out.log"; fail "$tag: no message names rank $rank"; }
  [ -f "$out/checkpoint.bin" ] || fail "$tag: no checkpoint survived"
  run_p 2 "$out" "$CFG/logistic.ini" --set algorithm.family=iso --set run.rounds=3000 \
    --set run.tol=0 --set output.checkpoint_every=250 --set run.resume=true \
    || fail "$tag: resume exited $?"
  "$TESTTOOL" csvcmp "$WORK/full/metrics.csv" "$out/metrics.csv" 0 seconds || fail "$tag: metrics"
  "$TESTTOOL" csvcmp "$WORK/full/mean.txt" "$out/mean.txt" 0 || fail "$tag: mean"
  echo "$tag: killed rank $rank, job ended in ${took}s with status $status; resume matches"
}

rows() { [ -f "$1/metrics.csv" ] && [ "$(wc -l < "$1/metrics.csv")" -gt "$2" ]; }
kill_test midrun 2 'rows "$WORK/midrun" 1100'
# in-write: rank 0 reports each stage of a checkpoint write through a FIFO and waits for an
# answer (fc_file.c's FC_TEST_WRITE_STAGES), so the kill lands inside the second write — its
# temporary file half written, the first checkpoint in place — on any disk, at any speed.
mkfifo "$WORK/stage.w" "$WORK/stage.r"
inside_second_write() {
  exec 3<"$WORK/stage.w" 4>"$WORK/stage.r" # opens when rank 0 starts its first write
  done_writes=0
  while :; do
    stage=$(dd bs=1 count=1 <&3 2>/dev/null)
    [ -n "$stage" ] || fail "in-write: the writer stopped reporting its stages"
    [ "$stage" = h ] && [ "$done_writes" -ge 1 ] && break
    [ "$stage" = d ] && done_writes=$((done_writes + 1))
    printf a >&4
  done
  [ -f "$WORK/in-write/checkpoint.bin.tmp" ] && [ -f "$WORK/in-write/checkpoint.bin" ] ||
    fail "in-write: not inside the second write"
}
kill_test in-write 0 inside_second_write -x FC_TEST_WRITE_STAGES="$WORK/stage.w,$WORK/stage.r"
exec 3<&- 4>&-

# A resume against a changed algorithm key is refused, naming the key.
status=0
run_p 1 "$WORK/midrun" "$CFG/logistic.ini" --set algorithm.family=iso --set run.rounds=3000 \
  --set run.tol=0 --set run.resume=true --set algorithm.damping=0.5 || status=$?
[ "$status" -eq 2 ] || fail "changed damping: exit $status"
grep -q "cannot resume: algorithm.damping is '0.5' now but '1' in the checkpoint" "$WORK/midrun.log" \
  || { cat "$WORK/midrun.log"; fail "changed damping: message"; }
