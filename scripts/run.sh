#!/usr/bin/env bash
# The main job, on a fresh Debian/Ubuntu machine with Rust:
# install what is missing, build jforensics, and tell the story of the current
# boot of this machine (`jforensics since-boot`). A machine without a readable
# journal (a container, a CI runner) gets the sample journal shipped in
# tests/fixtures/, recorded from a real Debian 12 systemd; the script says which.
# Extra arguments go to jforensics, e.g. `scripts/run.sh -o json`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/release/jforensics"
sample=tests/fixtures/debian12/journal
command="${JFORENSICS_COMMAND:-since-boot}"

if "$bin" boots >/dev/null 2>&1; then
    echo "== jforensics $command on this machine's journal" >&2
    exec "$bin" "$command" "$@"
else
    echo "== this machine has no readable journal; using the sample journal in $sample (a real Debian 12 / systemd 252 recording)" >&2
    exec "$bin" -D "$sample" "$command" "$@"
fi
