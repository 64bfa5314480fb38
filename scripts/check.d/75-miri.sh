# The core's tests under Miri (undefined behaviour, including in the unsafe
# code of heapless, and arithmetic overflow): unit tests, the oracle property
# test (3 cases under Miri) and the doctests. About 60 s with Miri set up
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
# The exhaustive unit tests (every split point of a table, every byte of a
# row replaced many ways, every word position of the fast paths against
# their naive oracles) take minutes each under Miri (the step went from 22 s
# to about 14 minutes when the conntrack and top-N tests came in): they run
# natively in 10-rust and 35-i686 and under qemu-mips in 60-routers. Miri's
# point here is the unsafe code the core links (heapless, memchr): the other
# unit tests and the oracle property test exercise all of it. The same holds
# for the top table's check after many evictions (index and order checked
# after every add: many minutes under Miri) and for the socket parser's fast
# tail and slot search against its slow path (39 s and 33 s under Miri).
cargo +nightly miri test -p tcpcount-core --locked --lib -- \
    --skip every_split_point \
    --skip fast_path_never_accepts \
    --skip compares_every_byte \
    --skip against_naive \
    --skip against_general \
    --skip against_extras \
    --skip as_the_kernel_prints_them \
    --skip many_evictions \
    --skip agrees_with_the_tail_parser \
    --skip against_the_slow_path
cargo +nightly miri test -p tcpcount-core --locked --test oracle
cargo +nightly miri test -p tcpcount-core --locked --doc
echo "miri: step took $((SECONDS - start)) s"
