#!/bin/sh
# Several hosts for real (SPEC §13): three network namespaces, each a "host" with its own
# address on a bridge, Open MPI started across them over TCP with its launch agent entering
# a namespace instead of ssh, and per-host data folders holding only the files of the clients
# that host runs. Checks: (1) the run across the hosts writes the single-host metrics.csv and
# mean.txt, and no host holds another's files; (2) killing every process of one host and
# (4) cutting one host off the network mid-run each end the job within 10 s, non-zero, with
# a message naming the lost host; (3) a resume on the surviving hosts gives the uninterrupted
# numbers. Everything it makes is removed on exit, also when it fails. It skips (status 77)
# without root, `ip netns` or CAP_NET_ADMIN.
. "$(dirname "$0")/lib.sh"
SKIP=77
skip() { echo "SKIP: $*" >&2; exit $SKIP; }

# --- Emulated cluster layout ------------------------------------------------------------
# host h (0..2) is namespace ${ID}h$h with address 10.77.0.$((h+1)) on a bridge that lives
# in its own namespace ${ID}sw (the "switch"), so the machine's own network is untouched.
# Names stay short (interface names are limited to 15 characters) and unique per run.
ID=fm$$
NET=10.77.0
HOSTS="0 1 2"
NODE="$WORK/node" # the node-local data folder: the same path on every host
made_ns=""

cleanup() {
  st=$?
  for ns in $made_ns; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || :; done
  done
  for ns in $made_ns; do ip netns del "$ns" 2>/dev/null || :; done
  rm -rf "$WORK"
  exit $st
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces and bind mounts)"
command -v ip >/dev/null 2>&1 || skip "no 'ip' command (install iproute2)"
ip netns add "${ID}sw" 2>/dev/null || skip "'ip netns add' refused (no CAP_NET_ADMIN?)"
made_ns="${ID}sw"
ip netns exec "${ID}sw" true 2>/dev/null || skip "'ip netns exec' refused (no CAP_SYS_ADMIN?)"

# The bridge: creating a link needs CAP_NET_ADMIN (`ip netns add` alone does not).
ip -n "${ID}sw" link add "${ID}br" type bridge 2>/dev/null ||
  skip "cannot create a bridge in a namespace (no CAP_NET_ADMIN?)"
ip -n "${ID}sw" link set "${ID}br" up

# make_host H: namespace, veth pair (one end on the bridge), address, its data folder.
make_host() {
  ns=${ID}h$1
  ip netns add "$ns" || return 1
  made_ns="$made_ns $ns"
  ip link add "${ID}s$1" netns "${ID}sw" type veth peer name "${ID}e$1" netns "$ns" &&
    ip -n "${ID}sw" link set "${ID}s$1" master "${ID}br" up &&
    ip -n "$ns" addr add "$NET.$(($1 + 1))/24" dev "${ID}e$1" &&
    ip -n "$ns" link set "${ID}e$1" up &&
    ip -n "$ns" link set lo up &&
    mkdir -p "$WORK/host$1"
}
for h in $HOSTS; do make_host "$h" || skip "cannot make host $h's namespace and veth pair"; done
mkdir -p "$NODE"
# The bind mount is the emulation's "local disk": made inside `ip netns exec`, which runs in
# a mount namespace of its own, it is seen only by that host's processes.
ip netns exec "${ID}h0" sh -c "mount --bind '$WORK/host0' '$NODE'" 2>/dev/null ||
  skip "bind mounts refused inside a namespace"

# enter H CMD...: run CMD on host H: in its network namespace, with its own host name (a
# UTS namespace) and its own temporary folder, its data folder at $NODE. Hosts must not
# share a name and /tmp: Open MPI keys its session folders by host name, and daemons of
# one job on two "hosts" called alike collide there (a start that hangs now and then).
for h in $HOSTS; do mkdir -p "$WORK/tmp$h"; done
cat >"$WORK/enter" <<EOF
#!/bin/sh
h=\$1; shift
exec ip netns exec "${ID}h\$h" unshare --uts sh -c \\
  'h=\$1; shift; hostname "${ID}-host\$h" && mount --bind "\$0" "$NODE" &&
   TMPDIR="$WORK/tmp\$h" && export TMPDIR && exec "\$@"' \\
  "$WORK/host\$h" "\$h" "\$@"
EOF
# Open MPI's launch agent, called like ssh: AGENT ADDRESS COMMAND-STRING.
cat >"$WORK/agent" <<EOF
#!/bin/sh
case \$1 in
$NET.1) h=0 ;;
$NET.2) h=1 ;;
$NET.3) h=2 ;;
*) echo "agent: unknown host \$1" >&2; exit 1 ;;
esac
shift
exec "$WORK/enter" "\$h" sh -c "\$*"
EOF
chmod +x "$WORK/enter" "$WORK/agent"

echo "emulated cluster: hosts $NET.1-3 in namespaces ${ID}h0-2, bridge ${ID}br"

# --- The data: every client's file, then each host's folder gets only its own ------------
# 5 ranks: rank 0 (the server) on host 0, ranks 1-2 on host 1, ranks 3-4 on host 2 (the
# hostfile's slots, filled in order). Rank r's clients follow SPEC §4's block rule, written
# out here on its own: K clients in contiguous blocks over ranks 1..P-1, the first K mod (P-1)
# of them one more.
K=8
P=5
rank_clients() {
  awk -v r="$1" -v P=$P -v K=$K 'BEGIN { if (r < 1) exit; n = P - 1; q = int(K / n); m = K % n; i = r - 1
    lo = i * q + (i < m ? i : m); hi = lo + q + (i < m); for (k = lo; k < hi; k++) print k }'
}
host_ranks() { case $1 in 0) echo 0 ;; 1) echo 1 2 ;; 2) echo 3 4 ;; esac; }
# host_files H: the files host H needs: the config, and the test set (server) or its clients'.
host_files() {
  echo partition.ini
  for r in $(host_ranks "$1"); do
    [ "$r" -eq 0 ] && echo test.csv
    for k in $(rank_clients "$r"); do echo "client_$k.csv"; done
  done
}
"$FEDPC" partition "$CFG/logistic.ini" --out "$WORK/all" --set partition.clients=$K \
  --set algorithm.family=iso --set run.rounds=300 --set run.tol=0 >/dev/null || fail "partition"
for h in $HOSTS; do
  for f in $(host_files "$h"); do cp "$WORK/all/$f" "$WORK/host$h/" || fail "copy $f"; done
done

cat >"$WORK/hostfile" <<EOF
$NET.1 slots=1
$NET.2 slots=2
$NET.3 slots=2
EOF
cluster() {
  "$WORK/enter" 0 "$MPIEXEC" --hostfile "${HOSTFILE:-$WORK/hostfile}" -n "${NRANKS:-$P}" \
    --map-by slot --bind-to none \
    -mca plm_rsh_agent "$WORK/agent" -mca plm_rsh_no_tree_spawn 1 -mca mpi_yield_when_idle 1 \
    -mca btl tcp,self -mca btl_tcp_if_include $NET.0/24 -mca oob_tcp_if_include $NET.0/24 \
    -mca oob_tcp_keepalive_time 1 -mca oob_tcp_keepalive_intvl 1 -mca oob_tcp_keepalive_probes 2 \
    "$@"
}
# FC_MULTIHOST_BENCH=PROGRAM: instead of the checks, run the bandwidth benchmark
# (benchmarks/fc_bench_bandwidth) between hosts 0 and 1 over the emulated network, then clean up.
if [ -n "${FC_MULTIHOST_BENCH:-}" ]; then
  printf '%s slots=1\n%s slots=1\n' "$NET.1" "$NET.2" >"$WORK/pair"
  HOSTFILE="$WORK/pair" NRANKS=2 cluster "$FC_MULTIHOST_BENCH" ${FC_MULTIHOST_BENCH_ARGS:-}
  exit
fi

# show_hosts: what runs on each host (for a failure's report).
show_hosts() {
  for h in $HOSTS; do
    echo "host $h:" >&2
    pids=$(ip netns pids "${ID}h$h" | tr '\n' ',' | sed 's/,$//')
    [ -z "$pids" ] || ps -o pid,ppid,stat,etime,wchan:20,args -p "$pids" >&2
  done
  ls -la "$WORK/host0" >&2
}
# bounded LOG CMD...: CMD (a cluster run) with its output in LOG; its status. A start that
# never completes fails after 120 s with what runs on each host, not at ctest's timeout
# (which would leave the namespaces behind).
bounded() {
  log=$1; shift
  "$@" >"$log" 2>&1 &
  bjob=$!
  n=0
  while kill -0 $bjob 2>/dev/null; do
    sleep 0.1; n=$((n + 1))
    [ $n -lt 1200 ] || { cat "$log" >&2; show_hosts; fail "still running after 120 s: $*"; }
  done
  wait $bjob
}
# --- (1) across the hosts: the single-host numbers ---------------------------------------
run_p $P "$WORK/single" "$WORK/all/partition.ini" || fail "single-host run exited $?"
bounded "$WORK/multi.log" cluster "$FEDPC" run "$NODE/partition.ini" --quiet --out "$NODE/out" ||
  { cat "$WORK/multi.log" >&2; show_hosts; fail "the run across hosts exited non-zero"; }
"$TESTTOOL" csvcmp "$WORK/single/metrics.csv" "$WORK/host0/out/metrics.csv" 0 seconds ||
  fail "metrics.csv across hosts differs from the single-host run"
"$TESTTOOL" csvcmp "$WORK/single/mean.txt" "$WORK/host0/out/mean.txt" 0 || fail "mean.txt differs"
echo "ok: the run across 3 hosts wrote the single-host metrics.csv and mean.txt"

# Each host sees, at the common data path, only the files of the clients it runs (and the
# server's host only the test set): a rank that opened another client's file would have
# failed the run above with the file's name.
expect_files() {
  got=$("$WORK/enter" "$1" ls "$NODE" | grep -v '^out$' | sort | tr '\n' ' ')
  want=$(host_files "$1" | sort | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "host $1 holds '$got', expected '$want'"
  echo "host $1 holds: $got"
}
for h in $HOSTS; do expect_files "$h"; done
# ...and the output only on the server's host: no other rank writes there.
for h in 1 2; do [ ! -e "$WORK/host$h/out" ] || fail "host $h got an output folder"; done
[ "$(host_files 1 | grep -c client_)" -eq 4 ] || fail "the block rule gives host 1 no 4 clients"

# --- Losing a host ------------------------------------------------------------------------
# lose_host TAG ROUND HOW [fedpc args...]: a run across the hosts into $NODE/TAG; when its
# metrics.csv has ROUND's row (an event, not a pause), host 2 is lost by the command HOW;
# then the job must end within 10 s of it, non-zero, with a message naming host 2. Open MPI's
# daemon on the server's host reports it: "ORTE has lost communication with a remote daemon
# ... on node 10.77.0.3".
rows() { [ -f "$1/metrics.csv" ] && [ "$(wc -l <"$1/metrics.csv")" -gt "$2" ]; }
lose_host() {
  tag=$1; round=$2; how=$3; shift 3
  cluster "$FEDPC" run "$NODE/partition.ini" --quiet --out "$NODE/$tag" "$@" >"$WORK/$tag.log" 2>&1 &
  job=$!
  i=0
  until rows "$WORK/host0/$tag" $((round + 1)); do
    sleep 0.05; i=$((i + 1))
    [ $i -lt 1200 ] || { cat "$WORK/$tag.log" >&2; show_hosts; fail "$tag: the run never reached round $round"; }
    kill -0 $job 2>/dev/null || { cat "$WORK/$tag.log" >&2; fail "$tag: the run ended before round $round"; }
  done
  $how
  lost=$(date +%s.%N)
  status=0
  wait $job || status=$?
  took=$(awk -v a="$lost" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  sed -n "/lost communication/,/daemon itself/p" "$WORK/$tag.log"
  echo "$tag: the job ended ${took}s after host 2 was lost at round $round, with status $status"
  [ "$status" -ne 0 ] || fail "$tag: the job exited 0 after host 2 was lost"
  awk -v t="$took" 'BEGIN { exit !(t <= 10) }' || fail "$tag: the job took ${took}s (> 10 s) to end"
  grep -q "on node $NET.3" "$WORK/$tag.log" || { cat "$WORK/$tag.log" >&2; fail "$tag: no message names host $NET.3"; }
}
# --- (2) a host killed mid-run -------------------------------------------------------------
# SIGKILL every process in host 2's namespace: its Open MPI daemon and its two fedpc ranks.
kill_host2() {
  victims=$(ip netns pids "${ID}h2")
  [ -n "$victims" ] || fail "no processes on host 2"
  kill -9 $victims
}
lose_host kill 100 kill_host2 --set output.checkpoint_every=1
[ -f "$WORK/host0/kill/checkpoint.bin" ] || fail "no checkpoint on the server's host"

# --- (3) resume on the surviving hosts ---------------------------------------------------
# Host 2 is gone: its clients' files are restored onto host 1 (from the partition's master
# copy, as an operator would), and the job resumes on hosts 0 and 1 with 3 ranks.
for f in $(host_files 2); do cp "$WORK/all/$f" "$WORK/host1/"; done
head -n 2 "$WORK/hostfile" >"$WORK/survivors"
HOSTFILE="$WORK/survivors" NRANKS=3 bounded "$WORK/resume.log" cluster "$FEDPC" run \
  "$NODE/partition.ini" --out "$NODE/kill" --set output.checkpoint_every=1 --set run.resume=true ||
  { cat "$WORK/resume.log" >&2; show_hosts; fail "the resume exited non-zero"; }
from=$(sed -n 's/^resumed from .* after round \([0-9]*\)$/\1/p' "$WORK/resume.log")
[ -n "$from" ] && [ "$from" -ge 100 ] || { cat "$WORK/resume.log" >&2; fail "did not resume from round >= 100"; }
"$TESTTOOL" csvcmp "$WORK/single/metrics.csv" "$WORK/host0/kill/metrics.csv" 0 seconds ||
  fail "resumed metrics.csv differs from the uninterrupted run"
"$TESTTOOL" csvcmp "$WORK/single/mean.txt" "$WORK/host0/kill/mean.txt" 0 || fail "resumed mean.txt"
echo "ok: resumed after round $from on hosts 0 and 1 (3 ranks): the uninterrupted numbers"

# --- (4) a host cut off the network --------------------------------------------------------
# Host 2's cable is pulled (its veth end on the bridge goes down): its processes live on, but
# nothing reaches them and no connection is closed. Open MPI's daemons notice through their
# TCP keepalive probes (the oob_tcp_keepalive_* settings in cluster(): probes after 1 s idle,
# 1 s apart, 2 unanswered ones end the connection), so the job ends within 10 s. This comes
# last: nothing is started on host 2 after its cable is pulled.
cut_host2() { ip -n "${ID}sw" link set "${ID}s2" down; }
lose_host cut 50 cut_host2
