# Fuzzes tcpcount-core with cargo-fuzz, FUZZ_SECONDS (default 30) per target.
# The longer run is scripts/fuzz; docs/robustness.md has its figures.
set -euo pipefail
start=$SECONDS
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
# cargo-fuzz is a cargo subcommand (not a dependency of the project): pinned,
# built once per machine (about 50 s on a 2-core VM).
if ! cargo fuzz --version 2>/dev/null | grep -q '^cargo-fuzz 0\.13\.2$'; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
echo "fuzz: tools ready in $((SECONDS - start)) s ($(cargo fuzz --version), $(rustc +nightly --version))"
# The checks replayed on every fixture without libFuzzer: a deterministic
# regression test, before the random part. Not --locked: fuzz/Cargo.lock
# follows the core's dependencies, as cargo fuzz itself does.
target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
(cd fuzz && cargo +nightly test --lib --target-dir "$target_dir/fuzz-test")
scripts/fuzz "${FUZZ_SECONDS:-30}"
echo "fuzz: step took $((SECONDS - start)) s"
