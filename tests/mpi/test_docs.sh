# test_docs.sh — the repository carries its own contract (issue 9, item 7): no shipped file
# points outside it at the old shared folder, and every section number cited as "SPEC §n"
# (or a bare §n, e.g. the second half of a range) and every subsection cited by name after
# SPEC in double quotes is a heading of README.md's "## Specification" chapter.
# Plain shell, no mpirun; it lives in tests/mpi only because CTest globs that folder.
# Usage: sh tests/mpi/test_docs.sh [ROOT]  (default: $FC_SRC, else the checkout holding it).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-${FC_SRC:-$(cd "$HERE/../.." && pwd)}}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fedpc-docs-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Spelt in pieces so that this file does not match its own patterns.
SEC=$(printf '\302\247') # the section sign, UTF-8
SHARED="../""shared"

# shipped_files DIR: the files a clone of DIR holds (git's list when DIR is a checkout,
# else every file but .git and build folders), one per line, relative to DIR.
shipped_files() {
  if [ -e "$1/.git" ]; then
    git -C "$1" ls-files | while IFS= read -r f; do [ -f "$1/$f" ] && printf '%s\n' "$f"; done
  else
    (cd "$1" && find . -type f ! -path './.git/*' ! -path './build*' | sed 's|^\./||' | sort)
  fi
}

# chapter_headings README: the headings (### and deeper) of the Specification chapter,
# outside fenced code, from "## Specification" to the next "## " heading.
chapter_headings() {
  awk '
    /^```/ { fence = !fence; next }
    fence { next }
    /^## / { inside = ($0 ~ /^## Specification[[:space:]]*$/); next }
    inside && /^###/ { print }
  ' "$1"
}

# check_tree DIR: prints one line per problem to stderr; returns 1 if there is any.
check_tree() {
  dir=$1
  files="$WORK/files"
  shipped_files "$dir" >"$files"
  [ -s "$files" ] || { echo "no files found under $dir" >&2; return 1; }
  status=0

  # 1. Nothing but the CI hooks may name the shared folder outside the repository.
  grep -v '^\.ci/' "$files" | (cd "$dir" && tr '\n' '\0' | xargs -0 grep -I -n -F -- "$SHARED") \
    >"$WORK/shared" 2>/dev/null || true
  if [ -s "$WORK/shared" ]; then
    sed "s|^|refers to $SHARED: |" "$WORK/shared" >&2
    status=1
  fi

  # 2. Every cited section number has a heading "§n" in the chapter.
  if [ ! -f "$dir/README.md" ]; then
    echo "README.md is missing" >&2
    return 1
  fi
  chapter_headings "$dir/README.md" >"$WORK/headings"
  if [ ! -s "$WORK/headings" ]; then
    echo "README.md has no '## Specification' chapter with headings" >&2
    return 1
  fi
  # Heading numbers: the first §n of each heading, e.g. "### §3.1 fpc ..." gives 3.1.
  sed -n "s/^#* *$SEC\([0-9][0-9.]*[0-9]\{0,1\}\).*/\1/p" "$WORK/headings" | sed 's/\.*$//' |
    sort -u >"$WORK/have"
  (cd "$dir" && tr '\n' '\0' <"$files" | xargs -0 grep -I -o -h -- "$SEC[0-9][0-9.]*") \
    2>/dev/null | sed "s/^$SEC//; s/\.*\$//" | sort -u >"$WORK/cited" || true
  if [ ! -s "$WORK/cited" ]; then
    echo "no section citations found at all (is the pattern broken?)" >&2
    status=1
  fi
  while IFS= read -r n; do
    grep -qx -F -- "$n" "$WORK/have" && continue
    echo "cited but not a heading of the Specification chapter: $SEC$n, at:" >&2
    (cd "$dir" && tr '\n' '\0' <"$files" | xargs -0 grep -I -n -- "$SEC$n\([^0-9]\|\.[^0-9]\|\$\)") \
      2>/dev/null | sed 's/^/  /' | head -n 5 >&2 || true
    status=1
  done <"$WORK/cited"

  # 3. Every subsection cited by name after SPEC is a heading of the chapter.
  (cd "$dir" && tr '\n' '\0' <"$files" |
    xargs -0 grep -I -o -h -- "SPEC \($SEC[0-9][0-9.]* \)\{0,1\}\"[^\"]*\"") 2>/dev/null |
    sed 's/^[^"]*"\([^"]*\)"$/\1/' | sort -u >"$WORK/names" || true
  while IFS= read -r name; do
    grep -q -F -- "$name" "$WORK/headings" && continue
    echo "cited by name but not a heading of the Specification chapter: \"$name\"" >&2
    status=1
  done <"$WORK/names"
  return "$status"
}

# The checker must be able to fail: a small tree with one good and three bad references.
mkdir -p "$WORK/bad/src"
cat >"$WORK/bad/README.md" <<EOF
# x
## Specification
### ${SEC}1 The problem
#### Local solver
## After
### ${SEC}2 Not in the chapter
EOF
printf '/* SPEC %s1, SPEC "Local solver" */\n' "$SEC" >"$WORK/bad/src/good.c"
printf '/* SPEC %s2 is outside the chapter, SPEC %s1 "No such part" */\n' "$SEC" "$SEC" \
  >"$WORK/bad/src/bad.c"
printf 'see %s/SPEC.md\n' "$SHARED" >"$WORK/bad/src/notes.txt"
if check_tree "$WORK/bad" 2>"$WORK/bad.err"; then
  echo "FAIL: the checker passed a tree with bad references" >&2
  exit 1
fi
for want in "cited but not a heading of the Specification chapter: ${SEC}2" \
            '"No such part"' "refers to $SHARED: src/notes.txt:1"; do
  grep -q -F -- "$want" "$WORK/bad.err" ||
    { echo "FAIL: the checker did not report: $want" >&2; cat "$WORK/bad.err" >&2; exit 1; }
done
rm "$WORK/bad/src/bad.c" "$WORK/bad/src/notes.txt"
head -n 4 "$WORK/bad/README.md" >"$WORK/readme" && mv "$WORK/readme" "$WORK/bad/README.md"
check_tree "$WORK/bad" 2>"$WORK/good.err" ||
  { echo "FAIL: the checker refused a good tree:" >&2; cat "$WORK/good.err" >&2; exit 1; }

# The real tree.
if ! check_tree "$ROOT"; then
  echo "FAIL: $ROOT: documentation references do not resolve (see above)" >&2
  exit 1
fi
echo "ok: $(wc -l <"$WORK/cited") section numbers and $(wc -l <"$WORK/names") named parts resolve"
