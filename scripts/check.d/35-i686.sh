# The core's tests (unit tests and doctests) on a 32-bit target, where usize
# is 4 bytes: i686 musl, linked statically by rust-lld (.cargo/config.toml),
# so the tests run natively here with no 32-bit libraries installed. About
# 6 s (README's step table).
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
rust_targets i686-unknown-linux-musl
cargo test --locked -p tcpcount-core --target i686-unknown-linux-musl
