#!/bin/sh
# Checkpoints gather the clients' state to rank 0 in place (fc_tp_gather_pieces): a client
# rank's peak memory with checkpoint_every = 1 stays within 1.2x of the same run without
# checkpoints (K = 64 clients, d = 301, full family: 730 KB of state per client), and the
# numbers are the same.
. "$FC_SRC/tests/mpi/lib.sh"
command -v /usr/bin/time >/dev/null || fail "/usr/bin/time is missing (Debian package time)"
cat >"$WORK/ck.ini" <<INI
[data]
format = synthetic
n_per_client = 40
features = 300
heterogeneity = 0.3
[partition]
clients = 64
[model]
type = logistic
[algorithm]
family = full
[run]
rounds = 3
reference = false
INI
peak() { # OUT EVERY: the largest peak RSS (KiB) of the client ranks 1 and 2
  # Each rank's /usr/bin/time writes its own file: lines on a shared stderr can interleave.
  # shellcheck disable=SC2016
  "$MPIEXEC" --oversubscribe -n 3 sh -c \
    'exec /usr/bin/time -o "$0.rss.$OMPI_COMM_WORLD_RANK" -f "%M" "$@"' "$WORK/$1" "$FEDPC" run \
    "$WORK/ck.ini" --quiet --out "$WORK/$1" --set output.checkpoint_every="$2" \
    </dev/null >"$WORK/$1.log" 2>&1 || { cat "$WORK/$1.log" >&2; fail "run $1 failed"; }
  cat "$WORK/$1.rss.1" "$WORK/$1.rss.2" | awk '$1 > m { m = $1 } END { print m + 0 }'
}
without=$(peak plain 0)
with=$(peak ckpt 1)
[ -s "$WORK/ckpt/checkpoint.bin" ] || fail "no checkpoint written"
cmp -s "$WORK/plain/mean.txt" "$WORK/ckpt/mean.txt" || fail "checkpoints changed the numbers"
[ "$without" -gt 0 ] && [ "$with" -gt 0 ] || fail "no RSS measured"
echo "client-rank peak RSS: $without KiB without checkpoints, $with KiB with"
awk -v a="$with" -v b="$without" 'BEGIN { exit !(a <= 1.2 * b) }' ||
  fail "client-rank peak RSS $with KiB is above 1.2 x $without KiB"
