# Issue 9, item 9: README's first command prints the table README shows, and each algorithm
# runs at a setting that converges or is stable: nothing diverges. Words, verdicts and round
# counts must match exactly. The numbers are the same for any P, but not for any machine:
# `rate` is measured from gaps that end near round-off (F(m) − F(θ*) of about 1e-13), and
# `gap` and `correction` are round-off there, so their last digits follow the CPU's BLAS
# kernels. They are compared to a tolerance: rate and radius to 1e-2 relative, gap and
# correction to 1e-9 absolute plus 1e-3 relative.
. "$(dirname "$0")/lib.sh"
readme="$FC_SRC/README.md"
vary=$(grep -m1 -o -- "--vary 'algorithm.name+[^']*'" "$readme" | sed "s/^--vary '//; s/'\$//")
[ -n "$vary" ] || fail "no first command in README"
awk '/^<!-- first-command-output/{on=1; next} on && /^```$/{n++; if(n==2) exit; next} on && n==1' \
  "$readme" >"$WORK/want.txt"
[ -s "$WORK/want.txt" ] || fail "no first-command output block in README"
(cd "$FC_SRC" && "$FEDPC" sweep configs/default.ini --out "$WORK/d" --vary "$vary") \
  >"$WORK/got.txt" 2>"$WORK/err.txt" </dev/null || { cat "$WORK/err.txt"; fail "exit $?"; }
same_table() {
  awk -v want="$1" '
    function num(x) { return x ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ }
    function near(a, b, rel, abs_) { d = a - b; if (d < 0) d = -d
      m = a < 0 ? -a : a; return d <= abs_ + rel * m }
    { if ((getline w < want) <= 0) { print "extra line: " $0; bad = 1; exit }
      n = split(w, f, /[ \t]+/)
      if (n != NF) { print "want: " w; print "got:  " $0; bad = 1; next }
      for (i = 1; i <= NF; i++) {
        if (NR == 1 || !num($i) || !num(f[i])) ok = ($i == f[i])
        else if (i == 4 || i == 5) ok = near(f[i], $i, 1e-2, 0)
        else if (i == 8 || i == 9) ok = near(f[i], $i, 1e-3, 1e-9)
        else ok = ($i == f[i])
        if (!ok) { print "want: " w; print "got:  " $0; bad = 1; break } } }
    END { if ((getline w < want) > 0) { print "missing line: " w; bad = 1 }
          exit bad }' "$2"
}
same_table "$WORK/want.txt" "$WORK/got.txt" || fail "README's table is not what the first command prints"
grep -q diverged "$WORK/got.txt" && fail "a run of the first comparison diverged"
echo "README first command: table matches ($(grep -c converged "$WORK/got.txt") converged)"
