# The core's tests (unit tests and doctests) on a 32-bit target, where usize
# is 4 bytes: i686 musl, linked statically by rust-lld (.cargo/config.toml),
# so the tests run natively here with no 32-bit libraries installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
rustup target list --installed | grep -qx i686-unknown-linux-musl ||
    rustup target add i686-unknown-linux-musl
cargo test --locked -p tcpcount-core --target i686-unknown-linux-musl
