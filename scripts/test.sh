#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine with Rust: install what
# is missing, then run every unit and integration test (real journals from
# systemd's test suite and the recorded fixtures, all in tests/fixtures/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo test --locked --all-targets "$@"
