#!/usr/bin/env bash
# Regenerates the example postmortem bundles in reports/ from the recorded
# journals listed in reports/examples.tsv: report.md, report.html,
# report.json and the charts (SVG and PNG), all in UTC so that they do not
# depend on the machine's time zone.
#
# tests/it/report.rs regenerates them into a temporary folder and fails when
# a committed file differs: run this script after changing what a report
# shows, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --bin jforensics
bin="${CARGO_TARGET_DIR:-target}/debug/jforensics"

grep -v '^#' reports/examples.tsv | while IFS=$'\t' read -r name journal boot; do
    [ -n "$name" ] || continue
    out="reports/$name"
    rm -rf "$out"
    "$bin" -D "$journal" --utc report -b "$boot" --out "$out" 2>/dev/null
    "$bin" -D "$journal" --utc report -b "$boot" --format html --out "$out" 2>/dev/null
    echo "$out: $(ls "$out" | tr '\n' ' ')"
done
