#!/usr/bin/env bash
# Screenshots of the designer on each sample design at 1280x800, for the README.
# usage: docs/screenshots/make.sh [path/to/converge]
set -euo pipefail
cd "$(dirname "$0")"
gui=${1:-../../build/app/converge}
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
for sample in smb-basic smb-converged smb-iscsi-highperf multitenant-overlay broken-lab; do
    "$gui" --sample "$sample" --screenshot "$sample.png" 2>/dev/null
    echo "docs/screenshots/$sample.png"
done
