# Acceptance (runtime) 5: a client's data file that is malformed, or missing, ends the job
# with exit status 2 within 10 s; the message names the file, the line and the rank.
. "$(dirname "$0")/lib.sh"
"$FEDPC" partition "$CFG/logistic.ini" --out "$WORK/parts" >/dev/null || fail "partition"
cp -r "$WORK/parts" "$WORK/bad"
# Client 5 (on rank 2 of 3 with 8 clients) gets a ragged line 4.
awk 'NR==4{print "1,0.5"; next} {print}' "$WORK/parts/client_5.csv" > "$WORK/bad/client_5.csv"
expect_input_error() {
  tag=$1; dir=$2; want=$3
  start=$(date +%s)
  status=0
  run_p 3 "$WORK/$tag" "$dir/partition.ini" || status=$?
  elapsed=$(( $(date +%s) - start ))
  [ "$status" -eq 2 ] || { cat "$WORK/$tag.log"; fail "$tag: exit $status, expected 2"; }
  [ "$elapsed" -le 10 ] || fail "$tag: took ${elapsed}s"
  grep -q "$want" "$WORK/$tag.log" || { cat "$WORK/$tag.log"; fail "$tag: message lacks '$want'"; }
  echo "$tag: $(grep fedpc: "$WORK/$tag.log" | head -n1)"
}
expect_input_error malformed "$WORK/bad" "rank 2: client 5: .*client_5.csv:4: "
rm "$WORK/bad/client_5.csv"
cp "$WORK/parts/client_5.csv" "$WORK/bad/"
rm "$WORK/bad/client_6.csv"
expect_input_error missing "$WORK/bad" "rank 2: client 6: .*client_6.csv: cannot open"
