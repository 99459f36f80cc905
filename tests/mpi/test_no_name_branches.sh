#!/bin/sh
# Extension points (issue 10): no code outside a family's or an algorithm's own file and
# the registries branches on a family or algorithm name. A name may be looked up
# (fc_algo_find("central")) or be a default value in the config table; it may not be
# compared (strcmp, ==, !=, switch on an enum of families) anywhere else.
set -eu
: "${FC_SRC:?}"
cd "$FC_SRC"
names='fpc|pvi|admm|ama|central|iso|diag|full|lowrank|bayes_admm|fedavg|fedprox'
if [ -d .git ] || git rev-parse --git-dir >/dev/null 2>&1; then
  files=$(git ls-files common client server benchmarks | grep -E '\.(c|h|sh)$')
else
  files=$(find common client server benchmarks -name '*.[ch]' -o -name '*.sh')
fi
own='^common/fc_(algo_[a-z_]+|family_[a-z_]+)\.c$|^common/fc_(algo|family|registry)\.[ch]$|^common/fc_algo_impl\.h$'
bad=0
for f in $files; do
  echo "$f" | grep -qE "$own" && continue
  hits=$(grep -nE "(strcmp|strcasecmp)\([^;]*\"($names)\"|[=!]= *\"($names)\"|\"($names)\" *[=!]=|FC_FAMILY_(ISO|DIAG|FULL)|FC_QUAD_(ISO|DIAG|FULL)|== *&fc_(algo|family)_[a-z]+_ops" "$f" || true)
  if [ -n "$hits" ]; then
    echo "$hits" | sed "s|^|$f:|" >&2
    bad=1
  fi
done
[ "$bad" -eq 0 ] || { echo "FAIL: the lines above branch on a family or algorithm name" >&2; exit 1; }
# The check itself must be able to fail: a branch planted in a scratch copy is found.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int f(const char *n) { return strcmp(n, "fpc") == 0; }\n' >"$tmp/x.c"
grep -qE "(strcmp|strcasecmp)\([^;]*\"($names)\"" "$tmp/x.c" || { echo "FAIL: the pattern misses a planted branch" >&2; exit 1; }
echo "no branches on family or algorithm names outside their own files ($(echo "$files" | wc -l) files)"
