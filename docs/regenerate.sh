#!/usr/bin/env bash
# Regenerates the generated parts of the docs from the code (tests fail when they drift):
# the schema reference in design-document.md and the rule catalog in rules.md.
# usage: docs/regenerate.sh [path/to/convergectl]
set -euo pipefail
cd "$(dirname "$0")"
ctl=${1:-../build/app/convergectl}

splice() { # file begin-marker end-marker generated-text-file
    awk -v b="$2" -v e="$3" -v g="$4" '
        $0 == b { print; while ((getline line < g) > 0) print line; skip = 1; next }
        $0 == e { skip = 0 }
        !skip { print }' "$1" > "$1.new"
    mv "$1.new" "$1"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$ctl" schema > "$tmp"
splice design-document.md '<!-- BEGIN GENERATED SCHEMA -->' '<!-- END GENERATED SCHEMA -->' "$tmp"
"$ctl" rules --format markdown > "$tmp"
splice rules.md '<!-- BEGIN GENERATED RULES -->' '<!-- END GENERATED RULES -->' "$tmp"
echo "regenerated design-document.md and rules.md"
