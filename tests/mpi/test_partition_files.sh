# Sweep/stability acceptance 2: `fedpc partition` then a `files` run gives the same
# metrics.csv (to 1e-12) as the run that partitioned in memory — for a single csv file split
# by Dirichlet label skew, and for synthetic data.
. "$(dirname "$0")/lib.sh"
# A csv data set: the synthetic logistic clients written out, then read as one file.
"$FEDPC" partition "$CFG/logistic.ini" --out "$WORK/src" >/dev/null || fail "partition synthetic"
cat "$WORK"/src/client_*.csv > "$WORK/all.csv"
cat > "$WORK/csv.ini" <<INI
[data]
format = csv
train = all.csv
test = src/test.csv
[partition]
scheme = dirichlet
clients = 6
alpha = 1.0
[model]
type = logistic
[algorithm]
name = fpc
family = diag
damping = 0.5
[run]
rounds = 15
INI
for cfg in "$WORK/csv.ini" "$CFG/logistic.ini"; do
  name=$(basename "$cfg" .ini)
  run_p 2 "$WORK/mem-$name" "$cfg" || fail "$name in memory: exit $?"
  "$FEDPC" partition "$cfg" --out "$WORK/parts-$name" >/dev/null || fail "partition $name"
  grep -q "scheme = files" "$WORK/parts-$name/partition.ini" || fail "partition.ini"
  run_p 3 "$WORK/files-$name" "$WORK/parts-$name/partition.ini" || fail "$name from files: exit $?"
  "$TESTTOOL" csvcmp "$WORK/mem-$name/metrics.csv" "$WORK/files-$name/metrics.csv" 1e-12 seconds \
    || fail "$name: metrics differ"
  "$TESTTOOL" csvcmp "$WORK/mem-$name/mean.txt" "$WORK/files-$name/mean.txt" 1e-12 || fail "$name: mean"
done
