# The core's tests under Miri (undefined behaviour, including in the unsafe
# code of heapless, and arithmetic overflow): unit tests, the oracle property
# test (3 cases under Miri) and the doctests. About 22 s with Miri set up
# (README's step table).
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
start=$SECONDS
nightly
rustup +nightly component add miri rust-src >/dev/null
cargo +nightly miri setup >/dev/null 2>&1
echo "miri: tools ready in $((SECONDS - start)) s ($(cargo +nightly miri --version))"
export MIRIFLAGS="-Zmiri-strict-provenance"
# Two exhaustive unit tests take minutes under Miri (every split point of a
# table; every byte of four rows replaced 15 ways, 331 s alone): they run
# natively in 10-rust.
cargo +nightly miri test -p tcpcount-core --locked --lib -- \
    --skip test_every_split_point_and_chunk_size_agree \
    --skip test_fast_path_never_accepts_what_the_slow_path_rejects
cargo +nightly miri test -p tcpcount-core --locked --test oracle
cargo +nightly miri test -p tcpcount-core --locked --doc
echo "miri: step took $((SECONDS - start)) s"
