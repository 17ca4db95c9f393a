#!/usr/bin/env bash
# Installs (or, when not root, names) the Debian 12 packages Converge needs to build, test and run.
# usage: installer/deps.sh [--print]
set -euo pipefail

packages=(
    g++ cmake ninja-build pkg-config ccache make
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
    libpcap-dev libsqlite3-dev libgtest-dev libgmock-dev
    xvfb xauth libgl1-mesa-dri fonts-dejavu-core
    python3 python3-jsonschema clang-format clang-tidy-19 universal-ctags
    libssl-dev openvswitch-switch ethtool iputils-ping iproute2 nftables iperf3 tcpdump
    shellcheck
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

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
