#!/usr/bin/env bash
# Installs dependencies, builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test.
# Usage: tests/run.sh [preset]   (presets: asan (default), dev, release)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan}"

installer/dependencies.sh
# The Cedar differential tests compare against the reference engine from the npm registry.
if [ -f tests/cedar/differential/package.json ] && command -v npm >/dev/null 2>&1; then
    npm ci --prefix tests/cedar/differential --no-audit --no-fund --loglevel=error \
        || echo "warning: the reference Cedar engine could not be installed; differential tests will skip"
fi
cmake --preset "$preset"
cmake --build --preset "$preset" -j "$(nproc)"
ctest --preset "$preset"

# Fuzz smoke run when clang is there: a separate clang tree with only the libraries and the libFuzzer
# targets, each target fuzzed for 30 s from the committed corpus (tests/fuzz/run-fuzzers.sh).
if command -v clang++ >/dev/null 2>&1; then
    time tests/fuzz/run-fuzzers.sh --ctest
else
    echo "run.sh: clang++ not found; the fuzz targets are not run (tst_fuzz_regressions still replays their corpus)"
fi
