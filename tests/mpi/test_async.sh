# The asynchronous schedule (SPEC §11), issue 14's acceptance 1-4 and 6, and checkpoints.
# Where real timing decides the order of arrivals, the checks are of properties every order
# has (a replay reproduces the run, the staleness rule, convergence); the orders themselves
# are checked where they are fixed: the virtual clock (one rank), a recorded order (replay),
# and one rank of clients taking turns.
. "$(dirname "$0")/lib.sh"
A="--set algorithm.schedule=asynchronous"

# same_run A B: metrics.csv but seconds, mean.txt and the arrivals but seconds identical.
same_run() {
  "$TESTTOOL" csvcmp "$1/metrics.csv" "$2/metrics.csv" 0 seconds || fail "$1, $2: metrics differ"
  cmp -s "$1/mean.txt" "$2/mean.txt" || fail "$1, $2: mean.txt differs"
  cmp -s "$1/updates.csv" "$2/updates.csv" || fail "$1, $2: updates.csv differs"
  cut -d, -f1-5 "$1/arrivals.csv" >"$WORK/a1"; cut -d, -f1-5 "$2/arrivals.csv" >"$WORK/a2"
  cmp -s "$WORK/a1" "$WORK/a2" || fail "$1, $2: arrivals differ"
}

# Acceptance 1: no delays, one client per rank; each run replayed from its own arrivals.csv,
# and the order recorded on P = 4 replayed on P = 2 (one rank hosting all three clients).
for np in 2 4; do
  k=$((np - 1))
  # shellcheck disable=SC2086
  run_p $np "$WORK/free$np" "$CFG/logistic.ini" $A --set algorithm.name=pvi \
    --set partition.clients=$k --set run.rounds=15 || fail "free run P=$np exited $?"
  for nq in $np 2 1; do
    [ $nq -le $np ] || continue
    # shellcheck disable=SC2086
    run_p $nq "$WORK/replay$np-$nq" "$CFG/logistic.ini" $A --set algorithm.name=pvi \
      --set partition.clients=$k --set run.rounds=15 --set run.replay="$WORK/free$np/arrivals.csv" \
      || { cat "$WORK/replay$np-$nq.log"; fail "replay of P=$np on P=$nq exited $?"; }
    same_run "$WORK/free$np" "$WORK/replay$np-$nq"
  done
done
echo "ok acceptance 1: replays of P = 2 and P = 4 runs identical (P = 4's order on P = 2 and 1)"

# Acceptance 2: a recorded order in which every client waits for the previous one (each
# update uses the version the one before it made) equals the sequential schedule; so does
# one rank whose three clients take turns (each against the newest version it received).
K=3; R=12
{ echo "# fedpc arrivals: clients=$K seed=1"
  echo "update,client,version_used,version_made,staleness,seconds"
  u=1; while [ $u -le $((K * R)) ]; do
    echo "$u,$(((u - 1) % K)),$((u - 1)),$u,0,0"; u=$((u + 1)); done
} >"$WORK/chain.csv"
for alg in pvi fpc; do
  S="--set algorithm.name=$alg --set partition.clients=$K --set run.rounds=$R --set algorithm.damping=0.7"
  # shellcheck disable=SC2086
  run_p 1 "$WORK/seq-$alg" "$CFG/logistic.ini" $S --set algorithm.schedule=sequential ||
    fail "sequential $alg exited $?"
  # shellcheck disable=SC2086
  run_p 3 "$WORK/chain-$alg" "$CFG/logistic.ini" $S $A --set run.replay="$WORK/chain.csv" ||
    { cat "$WORK/chain-$alg.log"; fail "chain replay $alg exited $?"; }
  # shellcheck disable=SC2086
  run_p 2 "$WORK/turns-$alg" "$CFG/logistic.ini" $S $A || fail "turns $alg exited $?"
  for run in chain turns; do
    "$TESTTOOL" csvcmp "$WORK/seq-$alg/metrics.csv" "$WORK/$run-$alg/metrics.csv" 1e-12 seconds ||
      fail "$alg: $run differs from sequential"
    "$TESTTOOL" csvcmp "$WORK/seq-$alg/mean.txt" "$WORK/$run-$alg/mean.txt" 1e-12 ||
      fail "$alg: $run mean differs from sequential"
  done
  awk -F, 'NR > 2 && $5 != 0 { bad = 1 } END { exit bad }' "$WORK/turns-$alg/arrivals.csv" ||
    fail "$alg: turns on one rank made a stale update"
done
echo "ok acceptance 2: every client waiting for the previous one = sequential (1e-12), pvi and fpc"

# The virtual clock (one rank): with fixed delays of 1 s (client 0) and 3 s (client 1) both
# join at 0 with version 0; client 0 arrives at 1 and 2 (fresh), client 1 at 3 from version
# 0 (staleness 2), and client 0 at 3 too, after it (scheduled later), from version 2.
# shellcheck disable=SC2086
run_p 1 "$WORK/vc" "$CFG/logistic.ini" $A --set partition.clients=2 --set run.rounds=2 \
  --set run.tol=0 --set run.client_delay=0:1,1:3 || fail "virtual clock run exited $?"
printf '%s\n' "1,0,0,1,0,1.000000" "2,0,1,2,0,2.000000" "3,1,0,3,2,3.000000" \
  "4,0,2,4,1,3.000000" >"$WORK/vc.want"
tail -n +3 "$WORK/vc/arrivals.csv" | cmp -s - "$WORK/vc.want" ||
  { cat "$WORK/vc/arrivals.csv"; fail "virtual clock: not the hand-computed order"; }
echo "ok virtual clock: the hand-computed order of arrivals"

# Acceptance 3: lognormal delays (σ = 1), K = 8 on 3 ranks. Stale updates happen (on the
# virtual clock for certain; on 3 ranks they are real timing: two delays of σ = 1 differ by
# a factor above 2 about every third pair, so 64 arrivals without one are out of reach);
# max_staleness = 1 drops exactly the arrivals whose staleness exceeds 1.
LN="--set algorithm.name=pvi --set run.rounds=8 --set run.tol=0 --set run.client_delay=lognormal:-5:1"
# shellcheck disable=SC2086
run_p 1 "$WORK/ln1" "$CFG/logistic.ini" $A $LN || fail "virtual lognormal exited $?"
# shellcheck disable=SC2086
run_p 3 "$WORK/ln3" "$CFG/logistic.ini" $A $LN || fail "lognormal on 3 ranks exited $?"
for r in ln1 ln3; do
  awk -F, 'NR > 2 && $5 > 1 { n++ } END { exit !(n > 0) }' "$WORK/$r/arrivals.csv" ||
    fail "$r: no update of staleness above 1"
done
# shellcheck disable=SC2086
run_p 3 "$WORK/ms" "$CFG/logistic.ini" $A $LN --set algorithm.max_staleness=1 ||
  fail "max_staleness run exited $?"
awk -F, 'NR > 2 { if (($5 > 1) != ($4 == "")) bad = 1; if ($5 > 1) d++ }
         END { exit bad || !(d > 0) }' "$WORK/ms/arrivals.csv" ||
  fail "max_staleness = 1 did not drop exactly the updates of staleness above 1"
applied=$(awk -F, 'NR > 2 && $4 != ""' "$WORK/ms/arrivals.csv" | wc -l)
[ "$applied" -eq 64 ] || fail "8 rounds of K = 8 should apply 64 updates, applied $applied"
# shellcheck disable=SC2086
run_p 2 "$WORK/ms-replay" "$CFG/logistic.ini" $A $LN --set algorithm.max_staleness=1 \
  --set run.replay="$WORK/ms/arrivals.csv" || fail "replay of the max_staleness run exited $?"
same_run "$WORK/ms" "$WORK/ms-replay"
echo "ok acceptance 3: staleness above 1; max_staleness = 1 drops exactly those; replayed"

# Acceptance 4: fpc-full and pvi with stable damping reach θ* despite stale updates.
for alg in fpc pvi; do
  for np in 1 3; do
    # shellcheck disable=SC2086
    run_p $np "$WORK/conv-$alg-$np" "$CFG/logistic.ini" $A --set algorithm.name=$alg \
      --set algorithm.damping=0.5 --set run.rounds=200 --set run.client_delay=lognormal:-7:1 ||
      fail "convergence $alg P=$np exited $?"
    dist=$(last_field "$WORK/conv-$alg-$np/metrics.csv" dist_to_opt)
    awk -v x="$dist" 'BEGIN { exit !(x < 1e-6) }' || fail "$alg P=$np: distance $dist to θ*"
  done
  awk -F, 'NR > 2 && $5 > 0 { n++ } END { exit !(n > 0) }' "$WORK/conv-$alg-1/arrivals.csv" ||
    fail "$alg: the virtual-clock run had no stale update"
done
echo "ok acceptance 4: async fpc-full and pvi converge to θ* (distance < 1e-6) with staleness"

# Checkpoints: stop at a checkpoint and resume — bit for bit on the virtual clock and under
# replay (on another P); real timing resumes from the state saved (and converges).
CK="--set algorithm.name=pvi --set algorithm.damping=0.5 --set run.tol=0 --set output.checkpoint_every=2"
# shellcheck disable=SC2086
run_p 1 "$WORK/ckw" "$CFG/logistic.ini" $A $CK --set run.client_delay=lognormal:0:1 --set run.rounds=10 ||
  fail "uninterrupted exited $?"
# shellcheck disable=SC2086
run_p 1 "$WORK/ck" "$CFG/logistic.ini" $A $CK --set run.client_delay=lognormal:0:1 --set run.rounds=5 ||
  fail "checkpointed run exited $?"
# shellcheck disable=SC2086
run_p 1 "$WORK/ck" "$CFG/logistic.ini" $A $CK --set run.client_delay=lognormal:0:1 --set run.rounds=10 \
  --set run.resume=true || fail "resume exited $?"
same_run "$WORK/ckw" "$WORK/ck"
# shellcheck disable=SC2086
run_p 2 "$WORK/ckr" "$CFG/logistic.ini" $A $CK --set run.client_delay=lognormal:-5:1 --set run.rounds=5 \
  --set run.replay="$WORK/ln3/arrivals.csv" || fail "replay checkpointed run exited $?"
# shellcheck disable=SC2086
run_p 3 "$WORK/ckr" "$CFG/logistic.ini" $A $CK --set run.client_delay=lognormal:-5:1 --set run.rounds=8 \
  --set run.replay="$WORK/ln3/arrivals.csv" --set run.resume=true || fail "replay resume exited $?"
# shellcheck disable=SC2086
run_p 1 "$WORK/ckrw" "$CFG/logistic.ini" $A $CK --set run.client_delay=lognormal:-5:1 --set run.rounds=8 \
  --set run.replay="$WORK/ln3/arrivals.csv" || fail "uninterrupted replay exited $?"
same_run "$WORK/ckrw" "$WORK/ckr"
# shellcheck disable=SC2086
run_p 3 "$WORK/ckf" "$CFG/logistic.ini" $A $CK --set run.rounds=4 --set run.tol=1e-10 ||
  fail "free checkpointed exited $?"
# shellcheck disable=SC2086
run_p 3 "$WORK/ckf" "$CFG/logistic.ini" $A $CK --set run.rounds=200 --set run.tol=1e-10 \
  --set run.resume=true || { cat "$WORK/ckf.log"; fail "free resume exited $?"; }
[ "$(json_field "$WORK/ckf/summary.json" status)" = converged ] || fail "free resume did not converge"
echo "ok checkpoints: resume bit for bit (virtual clock, replay on P = 2 -> 3); real timing converges"

# A failure on one rank during the asynchronous rounds ends the job with its message.
st=0
timeout 60 "$MPIEXEC" --oversubscribe -n 3 "$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/div" \
  $A --set algorithm.family=diag --set algorithm.damping=1.99 --set run.rounds=100 \
  >"$WORK/div.log" 2>&1 || st=$?
[ "$st" -eq 3 ] || { cat "$WORK/div.log"; fail "diverging async run: exit $st, not 3"; }
grep -q "diverged" "$WORK/div.log" || fail "no divergence message"
echo "ok a diverging update ends the job (exit 3, with the reason)"

# Acceptance 6: bad input — exit 2, naming the key, or the replay file and its line.
bad_input() {
  what=$1; shift
  st=0
  "$FEDPC" run "$CFG/logistic.ini" --quiet --out "$WORK/bad" $A "$@" >"$WORK/bad.log" 2>&1 || st=$?
  [ "$st" -eq 2 ] || { cat "$WORK/bad.log"; fail "$*: exit $st, not 2"; }
  grep -qF "$what" "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "$*: no message with '$what'"; }
}
for alg in admm ama central; do bad_input algorithm.schedule --set algorithm.name=$alg; done
for d in -1 lognormal:0:-1 lognormal:x:1 0:-0.5 "0:1,0:2" 8:1 "0:1;" junk; do
  bad_input run.client_delay --set "run.client_delay=$d"
done
REC="$WORK/ln3/arrivals.csv"
sed '5s/.*/5,1,2/' "$REC" >"$WORK/malformed.csv"
bad_input "$WORK/malformed.csv:5:" --set run.rounds=8 --set run.replay="$WORK/malformed.csv"
sed '1s/seed=1/seed=2/' "$REC" >"$WORK/seed.csv"
bad_input "$WORK/seed.csv:1:" --set run.rounds=8 --set run.replay="$WORK/seed.csv"
bad_input "$REC:1:" --set run.rounds=8 --set partition.clients=6 --set run.replay="$REC"
head -n 20 "$REC" >"$WORK/short.csv"
bad_input "$WORK/short.csv:20:" --set run.rounds=8 --set run.replay="$WORK/short.csv"
bad_input "run.replay" --set algorithm.schedule=synchronous --set run.replay="$REC"
# P > 1: the server's refusal ends every rank.
st=0
run_p 3 "$WORK/bad3" "$CFG/logistic.ini" $A --set run.rounds=8 --set run.replay="$WORK/short.csv" || st=$?
[ "$st" -eq 2 ] && grep -qF "$WORK/short.csv:20:" "$WORK/bad3.log" || fail "P=3 short replay: exit $st"
echo "ok acceptance 6: bad schedules, delays and replay files exit 2 naming the key or file:line"
