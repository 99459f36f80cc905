# lib.sh — helpers for the integration tests (sourced). Needs FEDPC, TESTTOOL, FC_SRC.
set -eu
: "${FEDPC:?}" "${TESTTOOL:?}" "${FC_SRC:?}"
MPIEXEC=${FC_MPIEXEC:-mpirun}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fedpc-it-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CFG="$FC_SRC/tests/mpi/configs"

fail() { echo "FAIL: $*" >&2; exit 1; }

# run_p P OUTDIR CONFIG [args...]: fedpc run with P ranks; prints nothing, returns status.
run_p() {
  p=$1; out=$2; cfg=$3; shift 3
  "$MPIEXEC" --oversubscribe -n "$p" "$FEDPC" run "$cfg" --quiet --out "$out" "$@" \
    >"$out.log" 2>&1 || return $?
}

# same_numbers A B: every column but seconds agrees to 1e-9 relative.
same_numbers() {
  "$TESTTOOL" csvcmp "$1" "$2" 1e-9 seconds || fail "$1 and $2 differ"
}

# json_field FILE KEY: the first "KEY": value in a summary.json (string quotes stripped).
json_field() {
  sed -n "s/.*\"$2\":[[:space:]]*\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" | tail -n1
}

# last_field CSV COLUMN: the value of COLUMN in the last row.
last_field() {
  awk -F, -v col="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==col) c=i} END{print $c}' "$1"
}
