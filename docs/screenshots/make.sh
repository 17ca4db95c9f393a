#!/usr/bin/env bash
# Screenshots of the designer on each sample design at 1280x800, for the README.
# usage: docs/screenshots/make.sh [path/to/converge]
set -euo pipefail
cd "$(dirname "$0")"
gui=${1:-../../build/app/converge}
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
# Each with one element selected, so the inspector shows what it edits.
for shot in smb-basic:h1.eth1 smb-converged:h1 smb-iscsi-highperf:h1.vsSAN1 \
    multitenant-overlay:h1.blue1.nic broken-lab:lab.fw.a; do
    sample=${shot%%:*}
    "$gui" --sample "$sample" --select "${shot#*:}" --screenshot "$sample.png" 2>/dev/null
    echo "docs/screenshots/$sample.png"
done
# The metering charts of one interface, from the chart tests' fake data (tests/views).
CONVERGE_SCREENSHOT_DIR=$PWD ../../build/tests/views/metering_views_test \
    --gtest_filter='MeteringScreenshot.*' >/dev/null 2>&1
echo "docs/screenshots/metering-chart.png"
# The Resource Metering report dialog over a day of two hosts' VMs (fake totals, tests/views).
CONVERGE_SCREENSHOT_DIR=$PWD ../../build/tests/views/metering_views_test \
    --gtest_filter='ReportScreenshot.*' >/dev/null 2>&1
echo "docs/screenshots/metering-report.png"
# make run's live charts of this machine: the GUI meters the machine it runs on in-process; 30 s
# of samples, in a throw-away data directory.
data=$(mktemp -d)
XDG_DATA_HOME=$data "$gui" --sample smb-converged --select h1.g1 --screenshot this-machine.png \
    --screenshot-after 30 2>/dev/null
rm -rf "$data"
echo "docs/screenshots/this-machine.png"
# The capture window on a real capture (capture-traffic.sh made capture-window.pcapng, as root),
# under Xvfb: the platform a desktop runs, with its fonts.
CONVERGE_SCREENSHOT_DIR=$PWD xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \
    ../../build/tests/views/capture_views_test --gtest_filter='CaptureScreenshot.*' >/dev/null 2>&1
echo "docs/screenshots/capture-window.png"
