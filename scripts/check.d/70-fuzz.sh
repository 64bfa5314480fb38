# Fuzzes tcpcount-core with cargo-fuzz, FUZZ_SECONDS (default 15) per target,
# after a replay of the corpus. The longer run is scripts/fuzz;
# docs/robustness.md has its figures. About 99 s with cargo-fuzz installed
# (README's step table); installing it takes about 50 s more.
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
start=$SECONDS
nightly
# cargo-fuzz is a cargo subcommand (not a dependency of the project): pinned,
# built once per machine (about 50 s on a 2-core VM).
if ! cargo fuzz --version 2>/dev/null | grep -q '^cargo-fuzz 0\.13\.2$'; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
echo "fuzz: tools ready in $((SECONDS - start)) s ($(cargo fuzz --version), $(rustc +nightly --version))"
# The checks replayed on every fixture without libFuzzer: a deterministic
# regression test, before the random part. Not --locked: fuzz/Cargo.lock
# follows the core's dependencies, as cargo fuzz itself does.
(cd fuzz && cargo +nightly test --lib --target-dir "$CARGO_TARGET_DIR/fuzz-test")
scripts/fuzz "${FUZZ_SECONDS:-15}"
echo "fuzz: step took $((SECONDS - start)) s"
