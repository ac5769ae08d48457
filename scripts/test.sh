#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine with Rust: install what
# is missing, then run every unit and integration test (real journals from
# systemd's test suite in ../shared/ and the recorded fixtures in tests/fixtures/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo test --locked --all-targets "$@"
