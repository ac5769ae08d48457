#!/usr/bin/env bash
# Rewrites the outputs the tests compare byte for byte, after a change that
# is meant to alter them: the golden outputs (tests/golden/) and the column
# reference (docs/tables.md). Review `git diff` before committing: that
# review is the test. Refused under CI=true, so CI never blesses itself.
#
#   scripts/bless.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = "true" ]; then
    echo "scripts/bless.sh: refused under CI=true: goldens are blessed by a person" >&2
    exit 2
fi
JFORENSICS_BLESS=1 cargo test --locked --test it -- golden docs_tables
git status --short tests/golden docs/tables.md
