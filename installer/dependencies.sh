#!/usr/bin/env bash
# Installs the Debian 12 packages Chainsight needs to build, test and run. Idempotent: installs only what
# is missing, and touches apt only then.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libgl-dev
    libsqlite3-dev libssl-dev nlohmann-json3-dev libsimdjson-dev zlib1g-dev
    python3 xvfb xauth fonts-dejavu-core ccache poppler-utils
    dpkg-dev desktop-file-utils appstream shared-mime-info groff-base
)
# clang with its sanitizer and libFuzzer runtimes builds the fuzz targets (tests/fuzz/run-fuzzers.sh).
packages+=(clang libclang-rt-14-dev)
# Node.js runs the reference Cedar engine in the differential tests; keep an existing install.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "dependencies: all ${#packages[@]} packages present"
    exit 0
fi

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "dependencies: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
