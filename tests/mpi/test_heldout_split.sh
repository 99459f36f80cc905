# Issue 9, items 8 and 10 (data.test_fraction): `partition` keeps the source config's
# [output] dir, and a single csv training file with data.test_fraction is split into a
# held-out test set and the clients' data: a true split (every row once), seeded, and the
# same for any P and any placement (in memory on 1, 2 and 3 ranks, or from the files).
. "$(dirname "$0")/lib.sh"
# 240 distinct rows (x1 = row number), values exact in %.17g so rows compare as text.
awk 'BEGIN{print "y,x1,x2,x3"; for(i=0;i<240;i++) printf "%d,%d,%g,%d\n", (i*7)%3==0, i, (i%9)/2-2, i%4-1}' \
  </dev/null >"$WORK/all.csv"
cat >"$WORK/held.ini" <<INI
[data]
format = csv
train = all.csv
test_fraction = 0.25
[partition]
scheme = dirichlet
clients = 5
alpha = 2
[model]
type = logistic
[algorithm]
name = fpc
family = diag
[run]
rounds = 12
[output]
dir = out/held
INI
# In memory, on 1, 2 and 3 ranks: the same numbers, with a test set.
for p in 1 2 3; do
  run_p "$p" "$WORK/mem$p" "$WORK/held.ini" </dev/null || { cat "$WORK/mem$p.log"; fail "P=$p: exit $?"; }
done
same_numbers "$WORK/mem1/metrics.csv" "$WORK/mem2/metrics.csv"
same_numbers "$WORK/mem1/metrics.csv" "$WORK/mem3/metrics.csv"
acc=$(last_field "$WORK/mem1/metrics.csv" test_accuracy)
[ -n "$acc" ] || fail "no test accuracy: no test set was held out"

# Partition: 60 rows held out (round(0.25 * 240)), 180 with the clients, each row once.
(cd "$WORK" && "$FEDPC" partition held.ini --out parts >/dev/null </dev/null) || fail "partition"
[ "$(wc -l <"$WORK/parts/test.csv")" -eq 60 ] || fail "test.csv has $(wc -l <"$WORK/parts/test.csv") rows"
cat "$WORK"/parts/client_*.csv >"$WORK/clients.csv"
[ "$(wc -l <"$WORK/clients.csv")" -eq 180 ] || fail "the clients have $(wc -l <"$WORK/clients.csv") rows"
sort "$WORK/clients.csv" "$WORK/parts/test.csv" >"$WORK/both.txt"
tail -n +2 "$WORK/all.csv" | sort >"$WORK/orig.txt"
cmp -s "$WORK/both.txt" "$WORK/orig.txt" || fail "clients + test set are not the training file's rows"
# Item 8: partition.ini keeps the source's output folder (absolute: it lives elsewhere).
grep -qx "dir = $WORK/out/held" "$WORK/parts/partition.ini" ||
  fail "partition.ini: $(grep '^dir' "$WORK/parts/partition.ini")"
grep -q "test_fraction" "$WORK/parts/partition.ini" && fail "partition.ini holds out again"
# From the files, on 3 ranks, into the folder partition.ini names: the same numbers.
"$MPIEXEC" --oversubscribe -n 3 "$FEDPC" run "$WORK/parts/partition.ini" --quiet \
  >"$WORK/files.log" 2>&1 </dev/null || { cat "$WORK/files.log"; fail "files run: exit $?"; }
[ -f "$WORK/out/held/metrics.csv" ] || fail "the files run did not write to [output] dir"
same_numbers "$WORK/mem1/metrics.csv" "$WORK/out/held/metrics.csv"

# Another seed, another split.
(cd "$WORK" && "$FEDPC" partition held.ini --set run.seed=2 --out parts2 >/dev/null </dev/null) ||
  fail "partition seed 2"
cmp -s "$WORK/parts/test.csv" "$WORK/parts2/test.csv" && fail "run.seed does not change the split"

# Refused: with a test file, with synthetic data, or holding out nothing.
expect_config_error() {
  tag=$1; want=$2; shift 2
  status=0
  run_p 2 "$WORK/$tag" "$@" </dev/null || status=$?
  [ "$status" -eq 2 ] || { cat "$WORK/$tag.log"; fail "$tag: exit $status, expected 2"; }
  grep -qF -- "$want" "$WORK/$tag.log" || { cat "$WORK/$tag.log"; fail "$tag: no '$want'"; }
}
expect_config_error with_test "but data.test = " "$WORK/held.ini" --set data.test="$WORK/all.csv"
expect_config_error synthetic "synthetic data has its own held-out test set" "$CFG/logistic.ini" \
  --set data.test_fraction=0.2
expect_config_error nothing "holds out 0 of them" "$WORK/held.ini" --set data.test_fraction=0.001
echo "held-out split: ok (test accuracy $acc)"
