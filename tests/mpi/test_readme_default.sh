# Issue 9, item 9: README's first command prints the table README shows (every number is
# the same for any machine and P), and each algorithm runs at a setting that converges or
# is stable: nothing diverges.
. "$(dirname "$0")/lib.sh"
readme="$FC_SRC/README.md"
vary=$(grep -m1 -o -- "--vary 'algorithm.name+[^']*'" "$readme" | sed "s/^--vary '//; s/'\$//")
[ -n "$vary" ] || fail "no first command in README"
awk '/^<!-- first-command-output/{on=1; next} on && /^```$/{n++; if(n==2) exit; next} on && n==1' \
  "$readme" >"$WORK/want.txt"
[ -s "$WORK/want.txt" ] || fail "no first-command output block in README"
(cd "$FC_SRC" && "$FEDPC" sweep configs/default.ini --out "$WORK/d" --vary "$vary") \
  >"$WORK/got.txt" 2>"$WORK/err.txt" </dev/null || { cat "$WORK/err.txt"; fail "exit $?"; }
diff "$WORK/want.txt" "$WORK/got.txt" || fail "README's table is not what the first command prints"
grep -q diverged "$WORK/got.txt" && fail "a run of the first comparison diverged"
echo "README first command: table matches ($(grep -c converged "$WORK/got.txt") converged)"
