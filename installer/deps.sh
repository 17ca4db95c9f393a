#!/usr/bin/env bash
# Installs (or, when not root, names) the Debian 12 packages Converge needs to build, test and run,
# then the test-only npm tools pinned in tests/tools/package-lock.json (the SARIF multitool, the
# PowerShell grammar).
# usage: installer/deps.sh [--print]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    g++ cmake ninja-build pkg-config ccache make
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
    libpcap-dev libsqlite3-dev libgtest-dev libgmock-dev
    xvfb xauth libgl1-mesa-dri fonts-dejavu-core
    python3 python3-jsonschema clang-format clang-tidy-19 universal-ctags libicu72
    clang-19 libclang-rt-19-dev
    libssl-dev openvswitch-switch ethtool iputils-ping iproute2 nftables iperf3 tcpdump
    shellcheck prometheus-node-exporter
    # The dissector tests' oracle (docs/capture.md, "Dissectors"); its debconf question (may
    # non-superusers capture?) takes the default, no, under DEBIAN_FRONTEND=noninteractive.
    tshark
)

# Node.js and npm install the test tools below; a Node.js the machine already has counts.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# The SARIF multitool (tests/validation/check_multitool.py) is a self-contained .NET program in
# an npm package: it needs Node.js and npm to install (the machine's, or Debian's nodejs + npm)
# and libicu at run time, no .NET runtime. `npm ci` runs once per change of the lock file.
test_tools() {
    [ "${1:-}" = "--print" ] && return 0
    local lock=tests/tools/package-lock.json stamp=tests/tools/node_modules/.converge-installed
    if cmp -s "$lock" "$stamp" 2>/dev/null; then return 0; fi
    if ! command -v npm >/dev/null; then
        echo "npm is missing: the SARIF multitool and PowerShell syntax tests will be skipped (apt-get install nodejs npm)." >&2
        return 0
    fi
    local start=$SECONDS
    # No package's install script runs (npm 9 and 10 would run the grammar's native build, which
    # nothing needs: the tests use its WebAssembly); the multitool's one script is its chmod.
    if npm ci --prefix tests/tools --ignore-scripts --no-audit --no-fund --loglevel=error \
        >/dev/null &&
        chmod u+x tests/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool; then
        cp "$lock" "$stamp"
        echo "Installed the npm test tools (tests/tools) in $((SECONDS - start)) s."
    else
        echo "npm ci in tests/tools failed: the SARIF multitool and PowerShell syntax tests cannot run." >&2
    fi
}

if [ ${#missing[@]} -eq 0 ]; then
    test_tools "${1:-}"
    exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "${1:-}" = "--print" ] || [ "$(id -u)" -ne 0 ]; then
    echo "Converge needs these Debian packages, which are not installed:" >&2
    echo "    sudo apt-get update && sudo $line" >&2
    echo "Run that line, then the make command again." >&2
    exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed ${#missing[@]} packages."
test_tools
