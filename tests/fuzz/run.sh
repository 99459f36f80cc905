#!/usr/bin/env bash
# tests/fuzz/run.sh — build the libFuzzer harnesses (clang, FC_FUZZ=ON, a build folder of
# their own) and fuzz each target for SECONDS; every new crash, leak, timeout or OOM is
# minimized and saved as tests/fuzz/regress/<target>/<kind>-<where>-<hash>, which the
# normal build's ctest then replays.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      (default 600 s; targets: all)
#
# Environment:
#   FC_FUZZ_BUILD       build folder                [<repo>/build-fuzz]
#   FC_FUZZ_KEEP_GOING  1: go on after a finding (libFuzzer -fork=1 -ignore_*), so one
#                       run collects several; 0: stop at the first  [0]
#   FC_FUZZ_ARGS        more libFuzzer flags (e.g. -dict=..., -max_len=65536)
#   FC_FUZZ_NOBUILD     1: skip configure and build
# A dictionary tests/fuzz/<target>.dict is used when present.
# Working corpora grow in $FC_FUZZ_BUILD/corpus/<target>/ (seeded from corpus/; not
# from regress/, whose inputs may still crash); the checked-in corpus/ is only read. Logs: $FC_FUZZ_BUILD/logs/.
# Several copies may run at once on different targets (the build step takes a lock).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FC_FUZZ_BUILD:-$root/build-fuzz}
all_targets=(config csv libsvm idx groups checkpoint)

secs=600
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
    secs=$1
    shift
fi
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || {
        echo "run.sh: unknown target '$t' (one of: ${all_targets[*]})" >&2
        exit 2
    }
done

mkdir -p "$build"
if [[ ${FC_FUZZ_NOBUILD:-0} != 1 ]]; then
    cc=${CC:-$(command -v clang || command -v clang-14 || true)}
    [[ -n $cc ]] || {
        echo "run.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
        exit 2
    }
    (
        flock 9
        # -U: drop a stale hook from folders configured by older versions of this script.
        cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DFC_FUZZ=ON \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -UCMAKE_PROJECT_INCLUDE >"$build/configure.log" ||
            { cat "$build/configure.log" >&2; exit 1; }
        cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}" >"$build/build.log" 2>&1 ||
            { tail -50 "$build/build.log" >&2; exit 1; }
    ) 9>"$build/.lock"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OPENBLAS_NUM_THREADS=1

# "<kind>-<where>" for a failing input, from the harness's own report on it.
describe() {
    local bin=$1 input=$2 out kind where
    out=$("$bin" -runs=1 -timeout=10 -rss_limit_mb=2048 "$input" 2>&1 || true)
    kind=$(grep -oE 'AddressSanitizer: [a-z-]+|LeakSanitizer|runtime error|out-of-memory \((malloc|used)|timeout|contract broken|deadly signal' <<<"$out" | head -1 || true)
    kind=${kind#AddressSanitizer: }
    case $kind in
    LeakSanitizer) kind=leak ;;
    allocator) kind=asan-out-of-memory ;;        # "allocator is out of memory ..."
    requested) kind=asan-allocation-too-big ;;   # "requested allocation size exceeds ..."
    'out-of-memory (malloc') kind=malloc-limit ;; # one allocation above -rss_limit_mb
    'out-of-memory (used') kind=rss-limit ;;     # resident memory above -rss_limit_mb
    'runtime error') kind=ubsan ;;
    *) kind=${kind// /-} ;;
    esac
    kind=${kind:-crash}
    # The first frame in our code (common/ or the harness), else the first named frame.
    where=$(grep -E '^ *#[0-9]+ ' <<<"$out" | grep -vE '/common/fc_(mem|data|error)\.c' |
        grep -m1 -E '/(common|tests/fuzz)/[A-Za-z0-9_]+\.c:' |
        sed -nE 's/.* in ([A-Za-z_][A-Za-z0-9_]*) .*/\1/p' || true)
    [[ $kind == contract-broken ]] &&
        where=$(sed -nE 's/.*contract broken: (.*)/\1/p' <<<"$out" | head -1 | tr -c 'A-Za-z0-9\n' '_' | cut -c1-40)
    echo "${kind}-${where:-unknown}"
}

status=0
for t in "${targets[@]}"; do
    bin=$build/tests/fuzz/fuzz_$t
    work=$build/corpus/$t
    art=$build/artifacts/$t
    log=$build/logs/fuzz_$t.log
    regress=$here/regress/$t
    mkdir -p "$work" "$art" "$build/logs" "$regress"
    flags=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$art/")
    [[ ${FC_FUZZ_KEEP_GOING:-0} == 1 ]] &&
        flags+=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
    [[ -f $here/$t.dict ]] && flags+=(-dict="$here/$t.dict")
    # shellcheck disable=SC2206
    flags+=(${FC_FUZZ_ARGS:-})
    echo "fuzz_$t: ${secs}s, log $log"
    start=$(date +%s)
    "$bin" "${flags[@]}" "$work" "$here/corpus/$t" >"$log" 2>&1 || true
    end=$(date +%s)
    # Executions: libFuzzer's final stats, or (fork mode) its last progress line.
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}' | tail -1 || true)
    [[ -n $execs ]] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    echo "fuzz_$t: ran $((end - start)) s, ${execs:-?} executions, corpus $(ls "$work" | wc -l) inputs"

    # New findings: minimize each, save one input per distinct <kind>-<where>; the raw
    # artifacts then move to $art/done/.
    mkdir -p "$art/done"
    while IFS= read -r -d '' f; do
        name=$(describe "$bin" "$f")
        if compgen -G "$regress/$name-*" >/dev/null; then
            echo "fuzz_$t: $(basename "$f"): $name (already in regress/$t)"
        else
            min=$art/done/$(basename "$f").min
            "$bin" -minimize_crash=1 -max_total_time=60 -timeout=10 -rss_limit_mb=2048 \
                -exact_artifact_path="$min" "$f" >"$min.log" 2>&1 || true
            # Keep the minimized input only if it still fails the same way.
            [[ -s $min && $(describe "$bin" "$min") == "$name" ]] || cp "$f" "$min"
            dest=$regress/$name-$(sha1sum "$min" | cut -c1-8)
            cp "$min" "$dest"
            echo "fuzz_$t: FOUND $name -> ${dest#"$root"/}"
        fi
        mv "$f" "$art/done/"
        status=1
    done < <(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -print0)
done
exit $status
