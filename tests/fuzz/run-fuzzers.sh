#!/usr/bin/env bash
# Builds the libFuzzer targets in a clang tree (ASan + UBSan, libraries instrumented for coverage) and runs
# each for a given time, starting from the committed corpus. Findings land in <build>/tests/fuzz/work/<target>/.
#
# Usage: tests/fuzz/run-fuzzers.sh [--seconds N] [--parallel P] [--build DIR] [--merge] [--seeds DIR] [--list] [target...]
#        tests/fuzz/run-fuzzers.sh --ctest [--build DIR]   (CI: build, then ctest -L fuzz, 30 s a target)
#   --seconds N   how long each target runs (default 60)
#   --parallel P  how many targets run at once (default 1; each uses one core)
#   --build DIR   the clang build tree (default build/fuzz)
#   --merge       afterwards, minimize the committed corpus together with what the run found (-merge=1)
#   --seeds DIR   with --merge, also take DIR/<target>/ (raw seeds from tests/fuzz/seed-corpora.py)
#   --list        print the targets and exit
#   --ctest       build, then run every target through ctest -L fuzz (CHAINSIGHT_FUZZ_SECONDS each, 30 by default)
#   target...     only these targets (names as in tests/fuzz/corpus/)
set -euo pipefail
cd "$(dirname "$0")/../.."
source_dir=$PWD

seconds=60
parallel=1
build=build/fuzz
merge=0
seeds=
list=0
ctest_mode=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --parallel) parallel=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --merge) merge=1; shift ;;
        --seeds) seeds=$2; shift 2 ;;
        --list) list=1; shift ;;
        --ctest) ctest_mode=1; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        -*) echo "run-fuzzers: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done

if ! command -v clang++ >/dev/null 2>&1; then
    echo "run-fuzzers: clang++ is not installed (installer/dependencies.sh installs it)" >&2
    exit 2
fi

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
if [ ! -f "$build/CMakeCache.txt" ]; then
    # Only the libraries and the fuzz targets: no GUI, no benchmarks; clang warnings are not the point here.
    cmake -S "$source_dir" -B "$build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
        -DCHAINSIGHT_BUILD_GUI=OFF -DCHAINSIGHT_BUILD_BENCH=OFF -DCHAINSIGHT_WARNINGS_AS_ERRORS=OFF \
        -DCHAINSIGHT_FUZZ_SECONDS=30 >/dev/null
fi
cmake --build "$build" --target chainsight_fuzzers -j "$(nproc)"
if [ "$ctest_mode" -eq 1 ]; then
    exec ctest --test-dir "$build" -L fuzz -j "$(nproc)" --output-on-failure
fi

all=()
for executable in "$build"/tests/fuzz/fuzz_*; do
    [ -f "$executable" ] && [ -x "$executable" ] && all+=("$(basename "$executable" | sed 's/^fuzz_//')")
done
if [ "$list" -eq 1 ]; then
    printf '%s\n' "${all[@]}"
    exit 0
fi
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_one() {
    local name=$1
    local work="$build/tests/fuzz/work/$name"
    mkdir -p "$work/corpus" "$work/artifacts"
    local started=$SECONDS
    # New inputs go to the work corpus; the committed one is read only. Fork mode keeps going past a finding.
    nice -n 10 "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "tests/fuzz/corpus/$name" >"$work/log" 2>&1 || true
    local findings
    findings=$(find "$work/artifacts" -type f | wc -l)
    local runs coverage
    runs=$(grep -oE '^#[0-9]+' "$work/log" | tail -1 | tr -d '#')
    coverage=$(grep -oE 'cov: [0-9]+' "$work/log" | tail -1 | awk '{print $2}')
    printf '%-18s %6ss %10s execs  cov %-6s  findings %s\n' "$name" $((SECONDS - started)) "${runs:-?}" "${coverage:-?}" "$findings"
}

running=0
for name in "${targets[@]}"; do
    if [ ! -x "$build/tests/fuzz/fuzz_$name" ]; then
        echo "run-fuzzers: no target $name (see --list)" >&2
        exit 2
    fi
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

if [ "$merge" -eq 1 ]; then
    for name in "${targets[@]}"; do
        work="$build/tests/fuzz/work/$name"
        merged="$work/merged"
        rm -rf "$merged" && mkdir -p "$merged"
        inputs=("tests/fuzz/corpus/$name" "$work/corpus")
        [ -n "$seeds" ] && [ -d "$seeds/$name" ] && inputs+=("$seeds/$name")
        "$build/tests/fuzz/fuzz_$name" -merge=1 -max_len=65536 -timeout=25 "$merged" "${inputs[@]}" >"$work/merge.log" 2>&1
        rm -rf "tests/fuzz/corpus/$name" && mv "$merged" "tests/fuzz/corpus/$name"
        echo "$name: corpus minimized to $(find "tests/fuzz/corpus/$name" -type f | wc -l) inputs"
    done
fi

found=$(find "$build"/tests/fuzz/work/*/artifacts -type f 2>/dev/null | wc -l)
if [ "$found" -gt 0 ]; then
    echo "run-fuzzers: $found finding(s):"
    find "$build"/tests/fuzz/work/*/artifacts -type f
    exit 1
fi
